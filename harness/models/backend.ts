import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigurationError, ModelError } from '../errors.ts';
import { findBlas } from './fastCpu/blas.ts';
import { installReluGradient } from './fastCpu/reluGradient.ts';
import { ensureGradients } from './gradients.ts';
import { installWasmMatMulFix } from './wasmMatMulFix.ts';

/**
 * The tfjs backends hypotest knows, fastest first:
 * - `node-gpu`: `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA), optional peer;
 * - `node`: `@tensorflow/tfjs-node` (libtensorflow on the CPU), optional peer;
 * - `fast-cpu`: tfjs-backend-cpu with BLAS matrix products (OpenBLAS, Accelerate, BLIS or MKL, called through
 *   koffi, one thread) and fused float32 kernels (see `fastCpu/`); available when a BLAS library is found;
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD, one thread in Node), the portable default;
 * - `cpu`: `@tensorflow/tfjs-backend-cpu` (plain JavaScript), the slow reference.
 */
export type BackendName = 'node-gpu' | 'node' | 'fast-cpu' | 'wasm' | 'cpu';

/** Every backend name, in the order {@link initBackend} tries them. */
export const BACKEND_NAMES: readonly BackendName[] = ['node-gpu', 'node', 'fast-cpu', 'wasm', 'cpu'];

/** The environment variable that forces one backend, e.g. `HYPOTEST_BACKEND=cpu`. */
export const BACKEND_ENV_VAR = 'HYPOTEST_BACKEND';

/** What a run record stores about the backend that trained it. */
export interface BackendInfo {
  /** hypotest's name for the backend. */
  readonly name: BackendName;
  /** Version of the npm package that provides the backend. */
  readonly version: string;
  /** JSON-safe facts that affect speed or numerics (package, tfjs-core version, SIMD, threads, kernel fixes). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Backends to try first, in this order, before the rest of {@link BACKEND_NAMES}.
   * Ignored when `HYPOTEST_BACKEND` is set or `name` is given.
   */
  readonly prefer?: BackendName | readonly BackendName[];
  /**
   * Exactly this backend, or a {@link ModelError}. Overrides `HYPOTEST_BACKEND`; meant for tests that
   * compare backends.
   */
  readonly name?: BackendName;
}

const PACKAGES: Record<BackendName, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  'fast-cpu': 'a BLAS library (OpenBLAS, Accelerate, BLIS or MKL) for the fast-cpu backend',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name each package registers with tfjs-core (both tfjs-node packages register `tensorflow`). */
const TFJS_NAMES: Record<BackendName, string> = { 'node-gpu': 'tensorflow', node: 'tensorflow', 'fast-cpu': 'fast-cpu', wasm: 'wasm', cpu: 'cpu' };

const ALIASES: Record<string, BackendName> = {
  'node-gpu': 'node-gpu',
  'tfjs-node-gpu': 'node-gpu',
  gpu: 'node-gpu',
  node: 'node',
  'tfjs-node': 'node',
  tensorflow: 'node',
  'fast-cpu': 'fast-cpu',
  fastcpu: 'fast-cpu',
  blas: 'fast-cpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

const require = createRequire(import.meta.url);

// Module state is kept on globalThis because tfjs-core's engine is itself global: two copies of this module
// (Vitest re-evaluates source files per test file) must agree on what has been initialised.
interface BackendState {
  loaded: Map<BackendName, BackendInfo>;
  wasmPathsSet: boolean;
  /** Whether the fallback from fast-cpu (no BLAS) has been reported on stderr. */
  blasFallbackReported?: boolean;
}
const STATE_KEY = Symbol.for('hypotest.models.backend');
const globalState = globalThis as unknown as Record<symbol, BackendState | undefined>;
const state: BackendState = (globalState[STATE_KEY] ??= { loaded: new Map(), wasmPathsSet: false });

/**
 * Picks, loads and activates a tfjs backend, and returns what a run record stores about it.
 *
 * Order of choice: `options.name` if given; else `HYPOTEST_BACKEND` (one of `node-gpu`, `node`, `fast-cpu`,
 * `wasm`, `cpu`, or the aliases `tfjs-node-gpu`, `tfjs-node`, `blas`); else the first of `options.prefer` then
 * {@link BACKEND_NAMES} that loads. The tfjs-node packages are optional peers, detected with a dynamic
 * import. fast-cpu loads when a BLAS library is found ({@link findBlas}; `HYPOTEST_BLAS` chooses or disables
 * it) and pins it to one thread; when the automatic choice falls back from it, stderr says so once per
 * process and the returned details carry the reason (`blasSearch`). For wasm the `.wasm` binaries are read
 * from the installed package, the backend runs one thread (tfjs-wasm has no threads in Node) and the
 * BatchMatMul transpose fix ({@link installWasmMatMulFix}) is installed. The details say whether the backend
 * uses BLAS (`blas`) and, for fast-cpu, which library (`blasVendor`, `blasLibrary`, `blasConfig`).
 *
 * Idempotent: calling it again is cheap and returns the same information; asking for another backend
 * switches to it (tensors made on the previous backend stay there).
 *
 * @throws {ModelError} when a forced backend (by `name` or `HYPOTEST_BACKEND`) cannot be loaded, or the
 *   environment variable names no known backend.
 * @example
 * const backend = await initBackend({ prefer: 'wasm' });
 * record.backend = backend; // { name: 'fast-cpu', version: '4.22.0', details: { blas: true, blasVendor: 'openblas', threads: 1, ... } }
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const forced = options.name ?? parseBackendEnv(process.env[BACKEND_ENV_VAR]);
  if (forced !== undefined) {
    const info = await tryActivate(forced);
    if (info instanceof Error) {
      const source = options.name !== undefined ? 'initBackend({ name })' : `${BACKEND_ENV_VAR}=${process.env[BACKEND_ENV_VAR]}`;
      throw new ModelError(
        `initBackend: ${source} asks for the ${forced} backend, but ${PACKAGES[forced]} could not be loaded ` +
          `(${info.message}). Install it, or choose another backend (${BACKEND_NAMES.join(', ')}), or unset ${BACKEND_ENV_VAR}.`,
      );
    }
    return info;
  }
  const prefer = options.prefer === undefined ? [] : typeof options.prefer === 'string' ? [options.prefer] : options.prefer;
  const order = [...new Set<BackendName>([...prefer, ...BACKEND_NAMES])];
  const failures: string[] = [];
  let blasMissing: string | undefined;
  for (const name of order) {
    const info = await tryActivate(name);
    if (!(info instanceof Error)) {
      if (blasMissing === undefined || name === 'node' || name === 'node-gpu') return info;
      reportBlasFallback(name, blasMissing);
      return { ...info, details: { ...info.details, blasSearch: blasMissing } };
    }
    if (name === 'fast-cpu') blasMissing = info.message;
    failures.push(`${name}: ${info.message}`);
  }
  throw new ModelError(`initBackend: no tfjs backend could be loaded (${failures.join('; ')}). Reinstall the project's dependencies (npm ci).`);
}

/**
 * Parses the value of `HYPOTEST_BACKEND`; `undefined` or empty means "not forced".
 * @throws {ConfigurationError} for an unknown name (the same kind as a bad `HYPOTEST_PROFILE`).
 * @example parseBackendEnv('tfjs-node') // 'node'
 */
export function parseBackendEnv(value: string | undefined): BackendName | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const name = ALIASES[value.trim().toLowerCase()];
  if (name === undefined) {
    throw new ConfigurationError(`${BACKEND_ENV_VAR}=${value} names no backend hypotest knows. Fix: set it to one of ${BACKEND_NAMES.join(', ')}, or unset it to let hypotest choose.`);
  }
  return name;
}

async function tryActivate(name: BackendName): Promise<BackendInfo | Error> {
  try {
    if (name === 'fast-cpu') {
      // Checked every time (cheap once found): HYPOTEST_BLAS=none switches the backend off even after it loaded.
      const search = findBlas();
      if (!search.found) throw new Error(search.reason);
    }
    let info = state.loaded.get(name);
    if (info === undefined) {
      info = await load(name);
      state.loaded.set(name, info);
    }
    if (tf.getBackend() !== TFJS_NAMES[name]) {
      const ok = await tf.setBackend(TFJS_NAMES[name]);
      if (!ok) throw new Error(`tf.setBackend('${TFJS_NAMES[name]}') failed`);
    }
    await tf.ready();
    await ensureGradients();
    // Keeps tfjs's formula on other backends; on fast-cpu the ReLU gradient is one pass.
    installReluGradient();
    return info;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function load(name: BackendName): Promise<BackendInfo> {
  const pkg = PACKAGES[name];
  // `blas: false`: these backends do not use the BLAS library (whether or not one is installed; see fast-cpu).
  const common = { package: pkg, tfjsCore: tf.version_core, blas: false };
  if (name === 'node-gpu' || name === 'node') {
    // A variable specifier keeps TypeScript and Vite from resolving an optional peer at build time.
    const specifier: string = pkg;
    await import(/* @vite-ignore */ specifier);
    if (tf.findBackend('tensorflow') === null) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
    return { name, version: packageVersion(pkg), details: { ...common } };
  }
  if (name === 'fast-cpu') {
    const search = findBlas();
    if (!search.found) throw new Error(search.reason);
    const { blas } = search;
    const cpu = await import('@tensorflow/tfjs-backend-cpu');
    const fast = await import('./fastCpu/backend.ts');
    fast.registerFastCpuBackend(blas);
    return {
      name,
      version: cpu.version_cpu,
      details: {
        package: '@tensorflow/tfjs-backend-cpu',
        tfjsCore: tf.version_core,
        blas: true,
        blasVendor: blas.vendor,
        blasLibrary: blas.library,
        blasConfig: blas.config,
        ...(blas.origin ? { blasOrigin: blas.origin } : {}),
        threads: blas.threads,
        fastKernels: [...fast.FAST_CPU_KERNELS, ...fast.FAST_CPU_EXTRA_KERNELS].join(','),
        fusedAdamW: true,
      },
    };
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // `tf.findBackend` would initialise the backend, so look in the engine's registry instead.
    if (!state.wasmPathsSet && !('wasm' in tf.engine().registry)) {
      // The wasm loader's default path is relative to the page in a browser; in Node point it at the package.
      const directory = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(directory + path.sep);
      state.wasmPathsSet = true;
    }
    installWasmMatMulFix();
    if (!(await tf.setBackend('wasm'))) throw new Error(`the wasm binary in ${path.dirname(require.resolve(pkg))} failed to initialise`);
    await tf.ready();
    return {
      name,
      version: wasm.version_wasm,
      details: { ...common, simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')), threads: 1, matMulTransposeFix: true },
    };
  }
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  return { name, version: cpu.version_cpu, details: { ...common } };
}

/** Says once per process that training falls back from fast-cpu, and why. */
function reportBlasFallback(name: BackendName, reason: string): void {
  if (state.blasFallbackReported) return;
  state.blasFallbackReported = true;
  process.stderr.write(
    `hypotest: the fast-cpu backend is not available (${reason}); training runs on the ${name} backend instead, ` +
      `2x to 3x slower for MLPs. On Debian or Ubuntu: apt-get install libopenblas0 as root, or make Debian's archive ` +
      `reachable so that hypotest fetches libopenblas0-serial into .cache/debian without root.\n`,
  );
}

function packageVersion(pkg: string): string {
  try {
    return String((require(`${pkg}/package.json`) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
