/**
 * The `vit` entry of `npm run bench`: ViT training throughput of hypotest's own code (`createVit` and
 * `trainClassifier`, what `trainVit` runs) against `torch_bench.py vit` (copied as bench/vit_torch.py) on the
 * same CPU, alternating in one command. Also runs on its own:
 *
 *   flock /tmp/hypotest-heavy.lock npx tsx bench/vit.ts [--repetitions 3] [--seconds 8] [--backend fast-cpu]
 *
 * Protocol (torch_bench.py's): TinyVit (16 patches of 7x7, d_model 64, 4 heads, 2 pre-norm blocks, MLP 128,
 * GELU), AdamW lr 1e-3 without weight decay, softmax cross-entropy, batch 128, the Fashion-MNIST training images
 * scaled to [0, 1] (never the test files; random data of the same shape when they are missing), one thread on
 * both sides. As for the MLP (bench/mlp.ts), hypotest's rate is examples over the wall time of the whole
 * `trainClassifier` call after a warm-up (steps, batch assembly, shuffles; no validation), PyTorch's that of its
 * training steps after 3 warm-up steps; repetitions alternate which side goes first.
 *
 * Output: one JSON line per measurement (hypotest's with the process's resident set size, current and peak),
 * progress on stderr, and (alone) the summary line `{"summary": {"vit": r}}`, r the median over repetitions of
 * hypotest's examples/s over PyTorch's; null without PyTorch (Debian's python3-torch).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendEnv, type BackendInfo } from '../harness/models/backend.ts';
import { trainClassifier } from '../harness/models/train.ts';
import { createVit } from '../harness/models/vit.ts';
import { createRandom } from '../harness/random.ts';
import type { ExperimentData, Split } from '../harness/types.ts';
import { loadTrainingImages, type TrainingImages } from './fixtures/fashionMnistTraining.ts';
import { summaryLine } from './summary.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('./vit_torch.py', import.meta.url));
const BATCH = 128;
/** torch_bench.py's TinyVit. */
const ARCHITECTURE = { imageShape: [28, 28], patchSize: 7, width: 64, depth: 2, heads: 4, mlpWidth: 128, numClasses: 10 } as const;

/** Options of {@link benchVit}. */
export interface VitBenchOptions {
  readonly repetitions: number;
  /** Seconds of training per measurement (after the warm-up), on each side. */
  readonly seconds: number;
  /** The training images (bench/mlp.ts's), with where they came from (`fashion-mnist` or `random`). */
  readonly images: TrainingImages & { readonly data: string };
  /** The backend hypotest trains on (already initialised). */
  readonly backend: BackendInfo;
  /** The Python interpreter with torch (Debian: /usr/bin/python3 with python3-torch). */
  readonly python: string;
  /** Extra environment of the PyTorch process (e.g. bench/mlp.ts's malloc thresholds). */
  readonly torchEnvironment?: Readonly<Record<string, string | undefined>>;
  /** Writes one measurement (a JSON-safe object). */
  readonly emit: (line: Record<string, unknown>) => void;
  /** Writes one progress note. */
  readonly note: (message: string) => void;
}

/**
 * Runs the alternating measurements and returns, per repetition, hypotest's examples/s over PyTorch's (empty when
 * PyTorch is unavailable; the reason is noted).
 */
export async function benchVit(options: VitBenchOptions): Promise<number[]> {
  const { repetitions, emit, note } = options;
  const torch = await startTorch(options);
  if (typeof torch === 'string') note(`vit: PyTorch reference skipped: ${torch}. Its ratio is null.`);
  const ratios: number[] = [];
  let estimate: number | undefined;
  try {
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      const torchFirst = repetition % 2 === 1;
      let torchLine: Record<string, unknown> | undefined;
      if (torchFirst && typeof torch !== 'string') emit((torchLine = await torch.ask(repetition)));
      note(`repetition ${repetition}, vit: hypotest`);
      const ours = await measureHypotest(options, repetition, estimate);
      estimate = ours.examples_per_second as number;
      emit(ours);
      if (!torchFirst && typeof torch !== 'string') emit((torchLine = await torch.ask(repetition)));
      if (torchLine !== undefined) ratios.push((ours.examples_per_second as number) / (torchLine.examples_per_second as number));
    }
  } finally {
    if (typeof torch !== 'string') torch.close();
  }
  return ratios;
}

/** One hypotest measurement: two warm-ups, then `trainClassifier` for about `seconds`. */
async function measureHypotest(options: VitBenchOptions, repetition: number, estimate: number | undefined): Promise<Record<string, unknown>> {
  const { images, seconds, backend } = options;
  const empty: Split = { name: 'validation', count: 0, featureShape: [28, 28], numClasses: 10, features: new Float32Array(0), labels: new Uint8Array(0) };
  const dataOf = (count: number): ExperimentData => {
    const n = Math.min(count, images.count);
    return {
      train: { name: 'train', count: n, featureShape: [28, 28], numClasses: 10, features: images.features.subarray(0, n * 784), labels: images.labels.subarray(0, n) },
      validation: empty,
    };
  };
  const train = async (examples: number, epochs: number) => {
    const model = createVit({ ...ARCHITECTURE, seed: repetition });
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
  await train(BATCH * 5, 1);
  const warm = await train(BATCH * 10, 1);
  const rate = estimate ?? warm.examples / warm.wall;
  const wanted = Math.max(BATCH * 10, rate * seconds);
  const perEpoch = Math.min(Math.floor(images.count / BATCH) * BATCH, Math.ceil(wanted / BATCH) * BATCH);
  const epochs = Math.max(1, Math.round(wanted / perEpoch));
  const run = await train(perEpoch, epochs);
  const memory = process.memoryUsage();
  return {
    framework: 'hypotest',
    backend: backend.name,
    model: 'vit',
    batch: BATCH,
    data: images.data,
    repetition,
    steps: run.stats.steps,
    seconds: Number(run.wall.toFixed(2)),
    examples_per_second: Math.round(run.examples / run.wall),
    step_examples_per_second: Math.round(run.stats.examplesPerSecond),
    rss_mib: Math.round(memory.rss / 2 ** 20),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** The PyTorch server (bench/vit_torch.py), or why there is none. */
async function startTorch(options: VitBenchOptions): Promise<{ ask(repetition: number): Promise<Record<string, unknown>>; close(): void } | string> {
  const { python, seconds, note } = options;
  if (!existsSync(python)) return `${python} not found`;
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${python} cannot import torch (install Debian's python3-torch): ${(probe.stderr || '').trim().split('\n').pop()}`;
  const child: ChildProcessWithoutNullStreams = spawn(python, [TORCH_SCRIPT], {
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...options.torchEnvironment },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk) => process.stderr.write(`torch: ${chunk}`));
  const lines = createInterface({ input: child.stdout });
  const pending: { resolve(line: Record<string, unknown>): void; reject(error: Error): void }[] = [];
  lines.on('line', (line) => pending.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
  child.on('exit', (code) => {
    for (const waiter of pending.splice(0)) waiter.reject(new Error(`bench/vit_torch.py exited with code ${code}`));
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => pending.push({ resolve, reject }));
  const ready = await next();
  note(`vit: PyTorch ${String(ready.version)} ready (${String(ready.threads)} thread, ${String(ready.data)} data)`);
  return {
    ask(repetition) {
      const answer = next();
      child.stdin.write(`${JSON.stringify({ seconds, repetition })}\n`);
      return answer;
    },
    close() {
      child.stdin.end();
    },
  };
}

/** Random data of the Fashion-MNIST training images' shape, for machines without them. */
function randomImages(): TrainingImages & { data: string } {
  const count = 10_000;
  const random = createRandom(0);
  return { features: Float32Array.from({ length: count * 784 }, () => random()), labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 10)), count, data: 'random' };
}

// Run on its own (not when bench/mlp.ts imports it).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({
    options: {
      repetitions: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '8' },
      backend: { type: 'string' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const repetitions = Number(args.repetitions);
  const seconds = Number(args.seconds);
  if (!(Number.isInteger(repetitions) && repetitions >= 1) || !(seconds > 0)) throw new Error('bench/vit.ts: --repetitions must be a positive integer and --seconds positive.');
  const note = (message: string) => process.stderr.write(`bench: ${message}\n`);
  const backend = await initBackend(args.backend === undefined ? {} : { name: parseBackendEnv(args.backend) });
  note(`hypotest on the ${backend.name} backend`);
  const loaded = await loadTrainingImages();
  const images = loaded === undefined ? randomImages() : { ...loaded, data: 'fashion-mnist' };
  const ratios = await benchVit({ repetitions, seconds, images, backend, python: args.python, emit: (line) => process.stdout.write(`${JSON.stringify(line)}\n`), note });
  process.stdout.write(`${summaryLine(new Map(), new Map([['vit', ratios]]))}\n`);
}
