import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelError } from '../../errors.ts';
import { debianLibrary, ignoringSystemPackages, recordDebianPackagesInUse, type DebianLibraryOptions } from '../../system/debianFetch.ts';

/** The Debian package fetched (without root) when the system has no BLAS: OpenBLAS's single-threaded build. */
export const DEBIAN_OPENBLAS = 'libopenblas0-serial';

/*
 * Why: a BLAS `cblas_sgemm` on one core runs the MLP's matrix products at 60 to 100 GFLOP/s, about 20x
 * the tfjs cpu backend's JavaScript loops and 2x to 3x XNNPACK in tfjs-backend-wasm (which has no
 * AVX2/AVX-512 and no threads in Node). OpenBLAS (Linux, Homebrew), Accelerate (macOS), BLIS and MKL
 * share the CBLAS ABI, so one declaration serves all of them; koffi calls it without compiling anything
 * on the user's machine and passes the backend's own Float32Arrays as pointers (no copies).
 */

/** Which family of BLAS library was loaded. */
export type BlasVendor = 'openblas' | 'accelerate' | 'blis' | 'mkl';

/** A loaded BLAS library: what it is, and its single-precision matrix product. */
export interface Blas {
  readonly vendor: BlasVendor;
  /** The file name or path handed to the dynamic loader. */
  readonly library: string;
  /** The library's own description where it has one (OpenBLAS: `openblas_get_config()`), else ''. */
  readonly config: string;
  /** Threads the library runs its products on (pinned to 1). */
  readonly threads: number;
  /** Where the library came from: the system (absent) or Debian's package in the project's cache. */
  readonly origin?: 'cache' | 'fetch';
  /**
   * `C ← A'·B' + beta·C` for row-major matrices, where `A'` is `A` (`m × k`, leading dimension `lda`) or,
   * with `transposeA`, the transpose of `A` stored `k × m`; likewise `B'` (`k × n`) and `C` (`m × n`,
   * leading dimension `ldc`). The arrays are read and written in place; pass `subarray`s for offsets.
   * Callers guarantee `m, n, k ≥ 1` and leading dimensions at least the stored row lengths.
   */
  sgemm(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

/** What {@link findBlas} found: a library, or why there is none (every path it tried, and what failed). */
export type BlasSearch = { readonly found: true; readonly blas: Blas } | { readonly found: false; readonly reason: string };

/**
 * The environment variable that chooses the BLAS library: a path or file name (`HYPOTEST_BLAS=/opt/lib/libopenblas.so`),
 * or `none` to run without one.
 */
export const BLAS_ENV_VAR = 'HYPOTEST_BLAS';

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

interface Candidate {
  readonly library: string;
  /** `undefined`: decide from the symbols the library exports (a generic `libblas.so.3` may be any BLAS). */
  readonly vendor?: BlasVendor;
}

/** Debian and Ubuntu put each OpenBLAS variant in its own folder; the serial one starts no threads at all. */
function debianVariants(variant: string): Candidate[] {
  const out: Candidate[] = [];
  for (const root of ['/usr/lib', '/usr/lib64']) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const triplet of entries) {
      const file = path.join(root, triplet, `openblas-${variant}`, 'libopenblas.so.0');
      if (existsSync(file)) out.push({ library: file, vendor: 'openblas' });
    }
  }
  return out;
}

function candidates(): Candidate[] {
  if (process.platform === 'darwin') {
    return [
      { library: '/System/Library/Frameworks/Accelerate.framework/Accelerate', vendor: 'accelerate' },
      { library: '/opt/homebrew/opt/openblas/lib/libopenblas.dylib', vendor: 'openblas' },
      { library: '/usr/local/opt/openblas/lib/libopenblas.dylib', vendor: 'openblas' },
      { library: 'libopenblas.dylib', vendor: 'openblas' },
    ];
  }
  if (process.platform === 'win32') {
    return [
      { library: 'libopenblas.dll', vendor: 'openblas' },
      { library: 'openblas.dll', vendor: 'openblas' },
    ];
  }
  return [
    ...debianVariants('serial'),
    { library: 'libopenblas.so.0', vendor: 'openblas' },
    { library: 'libopenblas.so', vendor: 'openblas' },
    // Fedora's pthread and OpenMP builds.
    { library: 'libopenblasp.so.0', vendor: 'openblas' },
    { library: 'libopenblaso.so.0', vendor: 'openblas' },
    ...debianVariants('pthread'),
    ...debianVariants('openmp'),
    { library: 'libblis.so.4', vendor: 'blis' },
    { library: 'libmkl_rt.so.2', vendor: 'mkl' },
    { library: 'libmkl_rt.so', vendor: 'mkl' },
    // The system BLAS, accepted only when it is one of the optimised libraries above (the reference BLAS is
    // slower than tfjs-backend-wasm).
    { library: 'libblas.so.3' },
  ];
}

// One BLAS per process: the search result is kept on globalThis because Vitest may evaluate this module more
// than once in a worker, and a library must not be loaded (and pinned) twice.
const STATE_KEY = Symbol.for('hypotest.models.fastCpu.blas');
const globalState = globalThis as unknown as Record<symbol, { search?: BlasSearch; key?: string } | undefined>;
const state = (globalState[STATE_KEY] ??= {});

/**
 * Finds and loads a BLAS library with `cblas_sgemm`, once per process, and pins it to one thread.
 *
 * Search order: `HYPOTEST_BLAS` when set (a path or file name; `none` disables BLAS); on Linux the
 * serial OpenBLAS of Debian/Ubuntu, `libopenblas.so.0`, the pthread and OpenMP OpenBLAS builds, BLIS, MKL,
 * then `libblas.so.3` when it is one of those; on macOS Accelerate, then Homebrew's OpenBLAS. Before the
 * library loads, `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, `BLIS_NUM_THREADS`, `MKL_NUM_THREADS` and
 * `VECLIB_MAXIMUM_THREADS` are set to 1 in this process, and the library's own thread setter
 * (`openblas_set_num_threads(1)` and the like) is called after, so each worker uses one core. A 2 x 2
 * product checks that the ABI is the 32-bit-integer CBLAS one before the library is accepted.
 *
 * Never throws for a missing library: the result says what was tried. Loading needs the `koffi` package.
 *
 * @throws {ModelError} when `HYPOTEST_BLAS` names a library that cannot be loaded or lacks `cblas_sgemm`.
 * @example
 * const search = findBlas();
 * if (search.found) search.blas.sgemm(false, false, m, n, k, a, k, b, n, 0, c, n);
 */
export function findBlas(): BlasSearch {
  const requested = process.env[BLAS_ENV_VAR]?.trim() ?? '';
  if (state.search !== undefined && state.key === requested) return state.search;
  if (state.search?.found) {
    // A library is already loaded into the process and cannot be unloaded; keep it unless BLAS is switched off.
    if (requested.toLowerCase() !== 'none') return state.search;
  }
  const result = search(requested);
  state.key = requested;
  state.search = result;
  return result;
}

/** Options of {@link searchBlas}. */
export interface BlasSearchOptions extends DebianLibraryOptions {
  /** Try the system's libraries before the project's cache. Default: true (tests turn it off). */
  readonly systemSearch?: boolean;
}

/**
 * One search as {@link findBlas} does it, without keeping the result (tests use it to load from a temporary cache):
 * the system's libraries, then Debian's serial OpenBLAS (`libopenblas0-serial` with the dependencies the system
 * lacks, `libgfortran5` and `libquadmath0`) from the project's cache, fetched without root when missing
 * (`harness/system/debianFetch.ts`). A library from the cache is recorded (package, version, sha256) in the run
 * records' `environment.debianPackages`.
 *
 * @throws {ModelError} as {@link findBlas}.
 * @example
 * const search = searchBlas({ systemSearch: false, cacheDir: '/tmp/cache' });
 */
export function searchBlas(options: BlasSearchOptions = {}): BlasSearch {
  return search(process.env[BLAS_ENV_VAR]?.trim() ?? '', options);
}

function search(requested: string, options: BlasSearchOptions = {}): BlasSearch {
  if (requested.toLowerCase() === 'none') return { found: false, reason: `${BLAS_ENV_VAR}=none` };
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (error) {
    return { found: false, reason: `the koffi package could not be loaded (${message(error)}); run npm install` };
  }
  pinThreadsInEnvironment();
  if (requested !== '') {
    const result = tryLoad(koffi, { library: requested });
    if (result instanceof Error) {
      throw new ModelError(`findBlas: ${BLAS_ENV_VAR}=${requested} could not be used (${result.message}). Point it at an OpenBLAS, BLIS, MKL or Accelerate library, or set ${BLAS_ENV_VAR}=none.`);
    }
    return { found: true, blas: result };
  }
  const failures: string[] = [];
  for (const candidate of (options.systemSearch ?? !ignoringSystemPackages()) ? candidates() : []) {
    const result = tryLoad(koffi, candidate);
    if (!(result instanceof Error)) return { found: true, blas: result };
    failures.push(`${candidate.library}: ${result.message}`);
  }
  if (process.platform === 'linux') {
    try {
      const fetched = debianLibrary({ package: DEBIAN_OPENBLAS, fileName: 'libopenblas.so.0', preload: (file) => koffi.load(file) }, options);
      const result = tryLoad(koffi, { library: fetched.path, vendor: 'openblas' });
      if (!(result instanceof Error)) {
        recordDebianPackagesInUse('openblas', fetched.packages);
        return { found: true, blas: { ...result, origin: fetched.origin } };
      }
      failures.push(`${fetched.path}: ${result.message}`);
    } catch (error) {
      failures.push(`Debian package ${DEBIAN_OPENBLAS} from the project's cache, fetched without root: ${firstLine(error)}`);
    }
  }
  return {
    found: false,
    reason: `no optimised BLAS found (${process.platform === 'linux' ? 'install libopenblas0, e.g. apt-get install libopenblas0' : 'install OpenBLAS'}); tried ${failures.join('; ')}`,
  };
}

function pinThreadsInEnvironment(): void {
  // Read when the library initialises, so they must be set before it loads.
  for (const name of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'BLIS_NUM_THREADS', 'MKL_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS']) {
    process.env[name] = '1';
  }
}

/** The part of koffi's API used here. */
interface Koffi {
  load(library: string): KoffiLibrary;
}
interface KoffiLibrary {
  func(definition: string): (...args: unknown[]) => unknown;
  unload?(): void;
}

function optionalFunc(lib: KoffiLibrary, definition: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    return lib.func(definition);
  } catch {
    return undefined;
  }
}

function tryLoad(koffi: Koffi, candidate: Candidate): Blas | Error {
  let lib: KoffiLibrary;
  try {
    lib = koffi.load(candidate.library);
  } catch (error) {
    return new Error(firstLine(error));
  }
  let cblasSgemm: (...args: unknown[]) => unknown;
  try {
    cblasSgemm = lib.func(
      'void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)',
    );
  } catch (error) {
    return new Error(`no cblas_sgemm (${firstLine(error)})`);
  }
  const openblasConfig = optionalFunc(lib, 'const char *openblas_get_config(void)');
  const vendor: BlasVendor | undefined =
    candidate.vendor ??
    (openblasConfig !== undefined
      ? 'openblas'
      : optionalFunc(lib, 'void bli_thread_set_num_threads(long n)') !== undefined
        ? 'blis'
        : optionalFunc(lib, 'void MKL_Set_Num_Threads(int n)') !== undefined
          ? 'mkl'
          : undefined);
  if (vendor === undefined) return new Error('not an optimised BLAS (probably the reference BLAS, which is slower than wasm)');
  let threads = 1;
  if (vendor === 'openblas') {
    optionalFunc(lib, 'void openblas_set_num_threads(int n)')?.(1);
    const get = optionalFunc(lib, 'int openblas_get_num_threads(void)');
    if (get !== undefined) threads = Number(get());
  } else if (vendor === 'blis') {
    optionalFunc(lib, 'void bli_thread_set_num_threads(long n)')?.(1);
  } else if (vendor === 'mkl') {
    optionalFunc(lib, 'void MKL_Set_Num_Threads(int n)')?.(1);
  }
  const sgemm: Blas['sgemm'] = (transposeA, transposeB, m, n, k, a, lda, b, ldb, beta, c, ldc) => {
    cblasSgemm(CBLAS_ROW_MAJOR, transposeA ? CBLAS_TRANS : CBLAS_NO_TRANS, transposeB ? CBLAS_TRANS : CBLAS_NO_TRANS, m, n, k, 1, a, lda, b, ldb, beta, c, ldc);
  };
  // [[1, 2], [3, 4]] · [[5, 6], [7, 8]]ᵀ = [[17, 23], [39, 53]]: catches a 64-bit-integer (ILP64) build or a
  // library that ignores the row-major or transpose flags.
  const c = new Float32Array(4);
  try {
    sgemm(false, true, 2, 2, 2, Float32Array.of(1, 2, 3, 4), 2, Float32Array.of(5, 6, 7, 8), 2, 0, c, 2);
  } catch (error) {
    return new Error(`cblas_sgemm failed a 2 x 2 check (${firstLine(error)})`);
  }
  if (c[0] !== 17 || c[1] !== 23 || c[2] !== 39 || c[3] !== 53) {
    return new Error(`cblas_sgemm gave [${Array.from(c).join(', ')}] for a 2 x 2 check instead of [17, 23, 39, 53] (an ILP64 build?)`);
  }
  const config = openblasConfig !== undefined ? String(openblasConfig() ?? '') : '';
  return { vendor, library: candidate.library, config, threads, sgemm };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(error: unknown): string {
  return message(error).split('\n')[0];
}
