/**
 * `npm run bench`: MLP training throughput of hypotest's own training code (`createMlp` and `trainClassifier`
 * from harness/models, the code the studies run) against PyTorch on the same CPU, alternating in one command.
 *
 *   npm run bench -- [--depths 2,4,8] [--repetitions 3] [--seconds 5] [--backend fast-cpu] [--torch-malloc tuned|default] [--vit-seconds 8]
 *
 * Protocol (that of shared/anchors/torch_bench.py, which bench/torch_mlp.py copies): the 784-256xd-10 MLP with
 * ReLU, AdamW lr 1e-3 without weight decay, softmax cross-entropy, batch 128, on the Fashion-MNIST training
 * images scaled to [0, 1] (the test files are never opened; random data of the same shape when the files are
 * missing). Both sides run on one thread (PyTorch: torch.set_num_threads(1); hypotest: one BLAS thread, and
 * JavaScript is single-threaded); PyTorch runs with glibc malloc's thresholds fixed (see TORCH_MALLOC), its
 * fastest and most stable configuration. Each measurement trains for about `--seconds` after a warm-up; hypotest's
 * rate is examples over the wall-clock time of the whole `trainClassifier` call (steps, batch assembly,
 * shuffles; no validation), PyTorch's that of its training steps. Repetitions alternate the order of the two
 * sides, so slow drifts of a shared machine hit both.
 *
 * Output: one JSON line per measurement (hypotest lines carry the process's resident set size, current and
 * peak), progress on stderr, and as the last line
 * `{"summary": {"mlp_d2": r, "mlp_d4": r, "mlp_d8": r, "vit": r, "xgb": r}}`, r being the median over repetitions of
 * hypotest's examples/s divided by PyTorch's in the same repetition (null when PyTorch is not available); `vit` is
 * the same ratio for torch_bench.py's ViT (bench/vit.ts; `--vit-seconds 0` skips it); `xgb` is Python xgboost's
 * training time over hypotest's (bench/xgb.ts; `--xgb-rounds 0` skips it).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendEnv } from '../harness/models/backend.ts';
import { createMlp } from '../harness/models/mlp.ts';
import { loadTrainingImages } from './fixtures/fashionMnistTraining.ts';
import { trainClassifier } from '../harness/models/train.ts';
import { createRandom } from '../harness/random.ts';
import type { ExperimentData, Split } from '../harness/types.ts';
import { summaryLine } from './summary.ts';
import { benchVit } from './vit.ts';
import { benchXgboost } from './xgb.ts';

const { values: args } = parseArgs({
  options: {
    depths: { type: 'string', default: '2,4,8' },
    repetitions: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    backend: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'torch-malloc': { type: 'string', default: 'tuned' },
    // The vit entry (bench/vit.ts): --vit-seconds 0 skips it.
    'vit-seconds': { type: 'string', default: '8' },
    // The xgb entry (bench/xgb.ts): --xgb-rounds 0 skips it.
    'xgb-rounds': { type: 'string', default: '10' },
    'xgb-examples': { type: 'string', default: '5000' },
  },
});
if (args['torch-malloc'] !== 'tuned' && args['torch-malloc'] !== 'default') throw new Error("bench/mlp.ts: --torch-malloc must be 'tuned' or 'default'.");
/**
 * PyTorch's CPU allocator sits on glibc malloc, whose dynamic mmap threshold makes the optimizer's temporaries
 * (up to 0.8 MB each) come from fresh mmap'd pages, zeroed by the kernel, on some runs and not on others: on the
 * development machine one-thread torch_bench.py gives 14k/12k/8k examples/s (d = 2/4/8) in that state and
 * 47k/29k/16k with the thresholds fixed. Fixing them makes PyTorch stable and at its fastest, the stronger
 * reference; `--torch-malloc default` measures it as it comes.
 */
const TORCH_MALLOC = args['torch-malloc'] === 'tuned' ? { MALLOC_MMAP_THRESHOLD_: String(2 ** 30), MALLOC_TRIM_THRESHOLD_: String(2 ** 30) } : {};
const depths = args.depths.split(',').map(Number);
const repetitions = Number(args.repetitions);
const seconds = Number(args.seconds);
if (!depths.every((d) => Number.isInteger(d) && d >= 0) || !(repetitions >= 1) || !(seconds > 0)) {
  throw new Error('bench/mlp.ts: --depths must be non-negative integers, --repetitions at least 1, --seconds positive.');
}
const WIDTH = 256;
const BATCH = 128;
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_mlp.py', import.meta.url));

function emit(line: unknown): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function note(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The Fashion-MNIST training images and labels (never the test files), or random data of the same shape. */
async function trainingImages(): Promise<{ features: Float32Array; labels: Uint8Array; count: number; data: string }> {
  const images = await loadTrainingImages();
  if (images !== undefined) return { ...images, data: 'fashion-mnist' };
  note('Fashion-MNIST training images not found (install dataset-fashion-mnist or set FASHION_MNIST_DIR); using random data of the same shape.');
  const count = 10_000;
  const random = createRandom(0);
  const features = Float32Array.from({ length: count * 784 }, () => random());
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10));
  return { features, labels, count, data: 'random' };
}

const images = await trainingImages();
const empty: Split = { name: 'validation', count: 0, featureShape: [784], numClasses: 10, features: new Float32Array(0), labels: new Uint8Array(0) };
function dataOf(count: number): ExperimentData {
  const n = Math.min(count, images.count);
  return {
    train: { name: 'train', count: n, featureShape: [784], numClasses: 10, features: images.features.subarray(0, n * 784), labels: images.labels.subarray(0, n) },
    validation: empty,
  };
}

/** One hypotest measurement: a warm-up, then `trainClassifier` for about `seconds`. */
async function measureHypotest(depth: number, repetition: number, estimate: number | undefined): Promise<Record<string, unknown>> {
  const train = async (examples: number, epochs: number) => {
    const model = createMlp({ inputSize: 784, width: WIDTH, depth, numClasses: 10, activation: 'relu', seed: repetition });
    const data = dataOf(examples);
    const startedAt = performance.now();
    const result = await trainClassifier(model, data, { epochs, batchSize: BATCH, learningRate: 1e-3, weightDecay: 0, seed: repetition, yieldEverySteps: 1000 });
    const wall = (performance.now() - startedAt) / 1000;
    if (result.status === 'ok') result.model.dispose();
    else model.dispose();
    return { examples: data.train.count * epochs, wall, stats: result.stats };
  };
  // Warm-up: compiles the JavaScript and fills the buffer pool (twice: the first run is the coldest), and
  // estimates the rate when no earlier repetition has measured it.
  await train(BATCH * 20, 1);
  const warm = await train(BATCH * 40, 1);
  const rate = estimate ?? warm.examples / warm.wall;
  const wanted = Math.max(BATCH * 10, rate * seconds);
  // Whole batches per epoch, at most the images there are; enough epochs for about `seconds`.
  const perEpoch = Math.min(Math.floor(images.count / BATCH) * BATCH, Math.ceil(wanted / BATCH) * BATCH);
  const epochs = Math.max(1, Math.round(wanted / perEpoch));
  const run = await train(perEpoch, epochs);
  const memory = process.memoryUsage();
  return {
    framework: 'hypotest',
    backend: backendInfo.name,
    blas: backendInfo.details.blas === true ? `${String(backendInfo.details.blasVendor)} (${String(backendInfo.details.blasLibrary)})` : false,
    model: 'mlp',
    depth,
    width: WIDTH,
    activation: 'relu',
    batch: BATCH,
    data: images.data,
    repetition,
    steps: run.stats.steps,
    seconds: Number(run.wall.toFixed(2)),
    examples_per_second: Math.round(run.examples / run.wall),
    step_examples_per_second: Math.round(run.stats.examplesPerSecond),
    rss_mib: Math.round(memory.rss / 2 ** 20),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    heap_used_mib: Math.round(memory.heapUsed / 2 ** 20),
    external_mib: Math.round((memory.external + memory.arrayBuffers) / 2 ** 20),
  };
}

/** The PyTorch server (bench/torch_mlp.py), or why there is none. */
async function startTorch(): Promise<{ ask(depth: number, repetition: number): Promise<Record<string, unknown>>; close(): void } | string> {
  if (!existsSync(args.python)) return `${args.python} not found`;
  const probe = spawnSync(args.python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${args.python} cannot import torch (install Debian's python3-torch): ${(probe.stderr || '').trim().split('\n').pop()}`;
  const child: ChildProcessWithoutNullStreams = spawn(args.python, [TORCH_SCRIPT], {
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...TORCH_MALLOC },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk) => process.stderr.write(`torch: ${chunk}`));
  const lines = createInterface({ input: child.stdout });
  const pending: { resolve(line: Record<string, unknown>): void; reject(error: Error): void }[] = [];
  lines.on('line', (line) => pending.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
  child.on('exit', (code) => {
    for (const waiter of pending.splice(0)) waiter.reject(new Error(`bench/torch_mlp.py exited with code ${code}`));
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => pending.push({ resolve, reject }));
  const ready = await next();
  note(`PyTorch ${String(ready.version)} ready (${String(ready.threads)} thread, ${String(ready.data)} data, glibc malloc ${args['torch-malloc']})`);
  return {
    ask(depth, repetition) {
      const answer = next().then((line) => ({ ...line, malloc: args['torch-malloc'] }));
      child.stdin.write(`${JSON.stringify({ depth, seconds, repetition, width: WIDTH })}\n`);
      return answer;
    },
    close() {
      child.stdin.end();
    },
  };
}

const backendInfo = await initBackend(args.backend === undefined ? {} : { name: parseBackendEnv(args.backend) });
note(`hypotest on the ${backendInfo.name} backend ${JSON.stringify(backendInfo.details)}`);
const torch = await startTorch();
if (typeof torch === 'string') note(`PyTorch reference skipped: ${torch}. The summary's ratios are null.`);

const ratios = new Map<number, number[]>(depths.map((d) => [d, []]));
const estimates = new Map<number, number>();
for (let repetition = 1; repetition <= repetitions; repetition++) {
  for (const depth of depths) {
    // Alternate which side goes first, so that a drift in the machine's load hits both.
    const torchFirst = repetition % 2 === 1;
    let torchLine: Record<string, unknown> | undefined;
    if (torchFirst && typeof torch !== 'string') emit((torchLine = await torch.ask(depth, repetition)));
    note(`repetition ${repetition}, depth ${depth}: hypotest`);
    const ours = await measureHypotest(depth, repetition, estimates.get(depth));
    estimates.set(depth, ours.examples_per_second as number);
    emit(ours);
    if (!torchFirst && typeof torch !== 'string') emit((torchLine = await torch.ask(depth, repetition)));
    if (torchLine !== undefined) ratios.get(depth)!.push((ours.examples_per_second as number) / (torchLine.examples_per_second as number));
  }
}
if (typeof torch !== 'string') torch.close();

const vitSeconds = Number(args['vit-seconds']);
const vitRatios = vitSeconds > 0
  ? await benchVit({ repetitions, seconds: vitSeconds, images, backend: backendInfo, python: args.python, torchEnvironment: TORCH_MALLOC, emit, note })
  : undefined;

const xgbRounds = Number(args['xgb-rounds']);
const xgbRatios = xgbRounds > 0
  ? await benchXgboost({ repetitions, rounds: xgbRounds, examples: Number(args['xgb-examples']), threads: 1, python: args.python, emit, note })
  : undefined;
const named = new Map<string, number[]>([...(vitRatios === undefined ? [] : [['vit', vitRatios] as const]), ...(xgbRatios === undefined ? [] : [['xgb', xgbRatios] as const])]);
process.stdout.write(`${summaryLine(ratios, named)}\n`);
