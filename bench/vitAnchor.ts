/**
 * Accuracy anchor of the ViT: trains `torch_bench.py`'s TinyVit with hypotest's tfjs code (`createVit` and
 * `trainClassifier`, what `trainVit` runs) for `--epochs` on the first `--train-examples` Fashion-MNIST training
 * images and reports the accuracy on training images 50,000 to 59,999 (validation data only; the test files are
 * never opened). `bench/vit_anchor_torch.py` does the same in PyTorch, so the two accuracies compare like for like.
 *
 * Protocol (both sides): 28x28 images as pixel bytes / 255; 16 patches of 7x7, d_model 64, 4 heads, 2 pre-norm
 * blocks, MLP 128 with exact GELU, final LayerNorm, mean pooling; PyTorch's initialisations; AdamW lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, no weight decay; softmax cross-entropy; batch 128 with the last, smaller batch
 * kept; the training order reshuffled every epoch from the seed (each framework its own generator, so the same
 * seed number gives different draws on the two sides: compare means over seeds).
 *
 *   flock /tmp/hypotest-heavy.lock npx tsx bench/vitAnchor.ts --seeds 0,1,2 [--epochs 10] [--train-examples 50000] [--backend fast-cpu]
 *
 * Prints one JSON line per seed on stdout and progress lines on stderr.
 */
import { parseArgs } from 'node:util';
import { initBackend, parseBackendEnv } from '../harness/models/backend.ts';
import { loadTrainingImages } from './fixtures/fashionMnistTraining.ts';
import { trainClassifier } from '../harness/models/train.ts';
import { createVit } from '../harness/models/vit.ts';
import { createProgressPrinter } from '../harness/progress.ts';
import type { ExperimentData, Split } from '../harness/types.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '10' },
    'train-examples': { type: 'string', default: '50000' },
    backend: { type: 'string' },
  },
});
const seeds = values.seeds.split(',').map(Number);
const epochs = Number(values.epochs);
const trainCount = Number(values['train-examples']);
if (!seeds.every(Number.isInteger) || !(Number.isInteger(epochs) && epochs >= 1) || !(Number.isInteger(trainCount) && trainCount >= 1 && trainCount <= 50_000)) {
  throw new Error('bench/vitAnchor.ts: --seeds must be integers, --epochs a positive integer, --train-examples an integer in 1..50000.');
}
/** torch_bench.py's TinyVit and optimiser. */
const ARCHITECTURE = { imageShape: [28, 28], patchSize: 7, width: 64, depth: 2, heads: 4, mlpWidth: 128, numClasses: 10 } as const;
const BATCH = 128;
const LEARNING_RATE = 1e-3;

const backend = await initBackend(values.backend === undefined ? {} : { name: parseBackendEnv(values.backend) });
const images = await loadTrainingImages();
if (images === undefined) throw new Error('bench/vitAnchor.ts: the Fashion-MNIST training files are not installed (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR).');
const split = (name: 'train' | 'validation', start: number, end: number): Split => ({
  name,
  count: end - start,
  featureShape: [28, 28],
  numClasses: 10,
  features: images.features.subarray(start * 784, end * 784),
  labels: images.labels.subarray(start, end),
});
const data: ExperimentData = { train: split('train', 0, trainCount), validation: split('validation', 50_000, 60_000) };

for (const seed of seeds) {
  const model = createVit({ ...ARCHITECTURE, seed });
  const result = await trainClassifier(model, data, {
    epochs,
    batchSize: BATCH,
    learningRate: LEARNING_RATE,
    weightDecay: 0,
    seed,
    onEpoch: createProgressPrinter({ cell: 'vit-anchor', seed, epochs, minIntervalSeconds: 0 }),
  });
  const last = result.stats.history.at(-1);
  console.log(
    JSON.stringify({
      framework: 'tfjs',
      backend: backend.name,
      version: backend.version,
      model: 'vit',
      seed,
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
      peakRssMib: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  if (result.status === 'ok') result.model.dispose();
  else model.dispose();
}
