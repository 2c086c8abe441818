/**
 * The `xgb` entry of `npm run bench`: hypotest's XGBoost training (`trainBooster` from harness/models/gbt.ts,
 * libxgboost through koffi) against Python's `xgboost.train` on the same bytes with the same parameters,
 * alternating in one command. Also runs on its own:
 *
 *   npx tsx bench/xgb.ts [--repetitions 3] [--examples 5000] [--rounds 10] [--threads 1]
 *
 * Protocol: the first `--examples` Fashion-MNIST *training* images scaled to [0, 1] (the test files are never
 * opened; random data of the same shape when the files are missing), `multi:softprob` over 10 classes, hist,
 * max_depth 6, eta 0.3, subsample 0.8, colsample_bytree 0.8, min_child_weight 1, lambda 1, max_bin 256, seed =
 * the repetition, `--threads` threads on both sides. Each side's time is the wall time of building the data
 * matrix and boosting `--rounds` rounds, without evaluation or prediction. Both sides first train one round to
 * warm up; repetitions alternate which side goes first.
 *
 * Output: one JSON line per measurement, progress on stderr, and (alone) the summary line
 * `{"summary": {"xgb": r}}`, r the median over repetitions of Python's seconds divided by hypotest's (above 1:
 * hypotest is faster); null without Python's xgboost (Debian's python3-xgboost). Measured on the shared 2-core
 * development machine: 0.98 (5,000 images, 10 rounds, the defaults) and 0.934 (10,000 images, 10 rounds).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { boosterParams, loadXgboost, trainBooster, type XgboostParams } from '../harness/models/gbt.ts';
import { loadTrainingImages } from './fixtures/fashionMnistTraining.ts';
import { createRandom } from '../harness/random.ts';
import { summaryLine } from './summary.ts';

const PYTHON_SCRIPT = fileURLToPath(new URL('./xgb_train.py', import.meta.url));
const FEATURES = 784;

/** Options of {@link benchXgboost}. */
export interface XgbBenchOptions {
  readonly repetitions: number;
  readonly examples: number;
  readonly rounds: number;
  readonly threads: number;
  /** The Python interpreter with xgboost (Debian: /usr/bin/python3 with python3-xgboost). */
  readonly python: string;
  /** Writes one measurement (a JSON-safe object). */
  readonly emit: (line: Record<string, unknown>) => void;
  /** Writes one progress note. */
  readonly note: (message: string) => void;
}

/** The parameters of every measurement (the seed is the repetition). */
export function benchParams(seed: number, rounds: number, threads: number): XgboostParams {
  return { numClasses: 10, rounds, maxDepth: 6, learningRate: 0.3, subsample: 0.8, colsampleBytree: 0.8, minChildWeight: 1, regLambda: 1, maxBin: 256, seed, threads };
}

/**
 * Runs the alternating measurements and returns, per repetition, Python's seconds over hypotest's (empty when
 * Python's xgboost is unavailable; the reason is noted).
 */
export async function benchXgboost(options: XgbBenchOptions): Promise<number[]> {
  const { repetitions, examples, rounds, threads, emit, note } = options;
  loadXgboost();
  const images = await trainingImages(examples, note);
  const python = startPython(options.python, images, note);
  if (typeof python === 'string') note(`Python xgboost reference skipped: ${python}. The xgb ratio is null.`);
  const server = typeof python === 'string' ? undefined : await python;
  const train = { features: images.features, labels: images.labels, count: images.count };
  const ours = (seed: number, roundsNow: number): number => {
    const startedAt = performance.now();
    const booster = trainBooster({ train, featureSize: FEATURES, params: benchParams(seed, roundsNow, threads) });
    const seconds = (performance.now() - startedAt) / 1000;
    booster.dispose();
    return seconds;
  };
  ours(0, 1);
  await server?.ask(benchParams(0, 1, threads), 0);
  const ratios: number[] = [];
  try {
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      const pythonFirst = repetition % 2 === 1;
      let theirs: Record<string, unknown> | undefined;
      if (pythonFirst && server) emit((theirs = await server.ask(benchParams(repetition, rounds, threads), repetition)));
      note(`xgb repetition ${repetition}: hypotest`);
      const seconds = ours(repetition, rounds);
      emit({ framework: 'hypotest-xgboost', library: loadXgboost().version, repetition, rounds, examples: images.count, threads, data: images.data, seconds: Number(seconds.toFixed(4)) });
      if (!pythonFirst && server) emit((theirs = await server.ask(benchParams(repetition, rounds, threads), repetition)));
      if (theirs !== undefined) ratios.push((theirs.seconds as number) / seconds);
    }
  } finally {
    server?.close();
    rmSync(images.folder, { recursive: true, force: true });
  }
  return ratios;
}

/** The first `count` training images (never the test files) or random data, also written to files for Python. */
async function trainingImages(count: number, note: (message: string) => void) {
  const loaded = await loadTrainingImages();
  let features: Float32Array;
  let labels: Uint8Array;
  let data: string;
  if (loaded !== undefined) {
    const n = Math.min(count, loaded.count);
    features = loaded.features.slice(0, n * FEATURES);
    labels = loaded.labels.slice(0, n);
    data = 'fashion-mnist';
  } else {
    note('Fashion-MNIST training images not found; using random data of the same shape.');
    const random = createRandom(0);
    features = Float32Array.from({ length: count * FEATURES }, () => random());
    labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10));
    data = 'random';
  }
  const folder = mkdtempSync(path.join(tmpdir(), 'hypotest-xgb-bench-'));
  const featuresFile = path.join(folder, 'features.f32');
  const labelsFile = path.join(folder, 'labels.u8');
  // Float32Array bytes are little-endian on every platform Node runs on here (x86-64, arm64).
  writeFileSync(featuresFile, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  writeFileSync(labelsFile, labels);
  return { features, labels, count: labels.length, data, folder, featuresFile, labelsFile };
}

type PythonServer = { ask(params: XgboostParams, repetition: number): Promise<Record<string, unknown>>; close(): void };

function startPython(python: string, images: Awaited<ReturnType<typeof trainingImages>>, note: (message: string) => void): Promise<PythonServer> | string {
  if (!existsSync(python)) return `${python} not found`;
  const probe = spawnSync(python, ['-c', 'import xgboost'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${python} cannot import xgboost (install Debian's python3-xgboost): ${(probe.stderr || '').trim().split('\n').pop()}`;
  const child: ChildProcessWithoutNullStreams = spawn(python, [PYTHON_SCRIPT, images.featuresFile, images.labelsFile, String(images.count), String(FEATURES)], {
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk) => process.stderr.write(`xgboost-python: ${chunk}`));
  const lines = createInterface({ input: child.stdout });
  const pending: { resolve(line: Record<string, unknown>): void; reject(error: Error): void }[] = [];
  lines.on('line', (line) => pending.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
  child.on('exit', (code) => {
    for (const waiter of pending.splice(0)) waiter.reject(new Error(`bench/xgb_train.py exited with code ${code}`));
  });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => pending.push({ resolve, reject }));
  return next().then((ready) => {
    note(`Python xgboost ${String(ready.version)} ready`);
    return {
      ask(params, repetition) {
        const answer = next();
        // The same (name, value) pairs, in the same order, that trainBooster sets.
        child.stdin.write(`${JSON.stringify({ params: boosterParams(params), rounds: params.rounds, threads: params.threads, repetition })}\n`);
        return answer;
      },
      close() {
        child.stdin.end();
      },
    };
  });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({
    options: {
      repetitions: { type: 'string', default: '3' },
      examples: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '10' },
      threads: { type: 'string', default: '1' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const [repetitions, examples, rounds, threads] = [args.repetitions, args.examples, args.rounds, args.threads].map(Number);
  if (![repetitions, examples, rounds, threads].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error('bench/xgb.ts: --repetitions, --examples, --rounds and --threads must be positive integers.');
  }
  const ratios = await benchXgboost({
    repetitions, examples, rounds, threads, python: args.python,
    emit: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
    note: (message) => process.stderr.write(`bench: ${message}\n`),
  });
  process.stdout.write(`${summaryLine(new Map(), new Map([['xgb', ratios]]))}\n`);
}
