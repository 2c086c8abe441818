/**
 * Correctness anchor: trains the Fashion-MNIST MLP with hypotest's tfjs code under the protocol of
 * `shared/anchors/torch_bench.py` (784-256xd-10, PyTorch nn.Linear initialisation, AdamW lr 1e-3, no weight
 * decay, batch 128) for 10 epochs on the first 50,000 training images, and reports the accuracy on the other
 * 10,000 (validation data only; the test file is never read). `anchor_torch.py` beside it does the same in
 * PyTorch, so the two accuracies and speeds can be compared like for like.
 *
 *   npx tsx bench/anchor.ts --seeds 0,1,2 [--depth 2] [--activation relu] [--epochs 10] [--width 256]
 *
 * Prints one JSON line per seed on stdout and progress lines on stderr.
 */
import { parseArgs } from 'node:util';
import { loadFashionMnistArrays } from '../harness/data/index.ts';
import type { ExperimentData, Split } from '../harness/types.ts';
import { initBackend } from '../harness/models/backend.ts';
import { createMlp, type MlpActivation } from '../harness/models/mlp.ts';
import { createProgressPrinter } from '../harness/progress.ts';
import { trainClassifier } from '../harness/models/train.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '0' },
    depth: { type: 'string', default: '2' },
    activation: { type: 'string', default: 'relu' },
    epochs: { type: 'string', default: '10' },
    width: { type: 'string', default: '256' },
    'train-examples': { type: 'string', default: '50000' },
  },
});
const seeds = values.seeds.split(',').map(Number);
const depth = Number(values.depth);
const width = Number(values.width);
const epochs = Number(values.epochs);
const activation = values.activation as MlpActivation;
const trainCount = Number(values['train-examples']);

const backend = await initBackend();
const arrays = await loadFashionMnistArrays({ download: false });
const pixels = arrays.rows * arrays.cols;

function split(name: 'train' | 'validation', start: number, end: number): Split {
  const features = new Float32Array((end - start) * pixels);
  // Same preprocessing as torch_bench.py: raw bytes / 255, no normalisation.
  for (let i = 0; i < features.length; i++) features[i] = arrays.trainImages[start * pixels + i] / 255;
  return { name, count: end - start, featureShape: [pixels], numClasses: 10, features, labels: arrays.trainLabels.slice(start, end) };
}
const data: ExperimentData = { train: split('train', 0, trainCount), validation: split('validation', 50_000, 60_000) };

for (const seed of seeds) {
  const model = createMlp({ inputSize: pixels, width, depth, numClasses: 10, activation, seed });
  const result = await trainClassifier(model, data, {
    epochs,
    batchSize: 128,
    learningRate: 1e-3,
    weightDecay: 0,
    seed,
    onEpoch: createProgressPrinter({ cell: `anchor-d${depth}-${activation}`, seed, epochs, minIntervalSeconds: 0 }),
  });
  const last = result.stats.history.at(-1);
  console.log(
    JSON.stringify({
      framework: 'tfjs',
      backend: backend.name,
      version: backend.version,
      seed,
      depth,
      width,
      activation,
      epochs,
      trainExamples: data.train.count,
      validationExamples: data.validation.count,
      status: result.status,
      validationAccuracy: last?.validationAccuracy,
      validationLoss: last?.validationLoss,
      curve: result.stats.history.map((log) => Number(log.validationAccuracy?.toFixed(4))),
      examplesPerSecond: Math.round(result.stats.examplesPerSecond),
      trainSeconds: Number(result.stats.trainSeconds.toFixed(1)),
      totalSeconds: Number(result.stats.totalSeconds.toFixed(1)),
    }),
  );
  if (result.status === 'ok') result.model.dispose();
  else model.dispose();
}
