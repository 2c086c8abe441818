/**
 * Gradient-boosted trees: XGBoost's C API (`libxgboost`, Debian package `libxgboost0`) called through `koffi`,
 * so nothing is compiled on the user's machine and no boosting is written by hand. Same library, same data and
 * same parameters give the same trees as Python's `xgboost.train` (checked against it in `gbt.test.ts`).
 *
 * Facts about the C API that shape this file:
 * - koffi 3 returns pointers (DMatrix and Booster handles, result buffers) as BigInt.
 * - Result buffers (`_Out_ void **`) belong to the booster and are overwritten by its next call: they are
 *   copied at once (`koffi.view(pointer, bytes).slice(0)`).
 * - `bst_ulong` is `uint64_t`.
 * - Every function returns 0 on success; on failure `XGBGetLastError()` says why, and this file throws it.
 */
import { createRequire } from 'node:module';
import { ModelError, XgboostUnavailableError } from '../errors.ts';
import type { EpochLog, FrozenModel, TrainContext, TrainOutcome } from '../types.ts';
import { sha256 } from '../util.ts';
import { debianLibrary, ignoringSystemPackages, recordDebianPackagesInUse, type DebianLibraryOptions, type DebianPackageProvenance } from '../system/debianFetch.ts';

/** Environment variable naming the XGBoost library to load (a path or a file name); wins over the search. */
export const XGBOOST_ENV_VAR = 'HYPOTEST_XGBOOST';

/** The fix printed by {@link XgboostUnavailableError}. */
const INSTALL_HINT =
  process.platform === 'darwin'
    ? `install XGBoost's C library (e.g. brew install xgboost) or point ${XGBOOST_ENV_VAR} at libxgboost.dylib`
    : `install it with apt-get install libxgboost0 (Debian/Ubuntu) or point ${XGBOOST_ENV_VAR} at libxgboost.so`;

/** The XGBoost parameters hypotest sets; every one is required (no library defaults are relied on). */
export interface XgboostParams {
  /** Classes of the `multi:softprob` objective (labels are 0 .. numClasses - 1). */
  readonly numClasses: number;
  /** Boosting rounds; each adds one tree per class. */
  readonly rounds: number;
  /** `max_depth`: the depth of each tree. */
  readonly maxDepth: number;
  /** `eta`: the shrinkage of each tree. */
  readonly learningRate: number;
  /** `subsample`: the fraction of training rows each tree sees, drawn with the seed. */
  readonly subsample: number;
  /** `colsample_bytree`: the fraction of features each tree sees, drawn with the seed. */
  readonly colsampleBytree: number;
  /** `min_child_weight`: the least hessian sum in a leaf. */
  readonly minChildWeight: number;
  /** `lambda`: the L2 penalty on leaf weights. */
  readonly regLambda: number;
  /** `max_bin`: histogram bins per feature (`tree_method: hist`). */
  readonly maxBin: number;
  /** `seed`: drives row and column subsampling; without subsampling, hist training ignores it. */
  readonly seed: number;
  /** `nthread`: threads for building the data matrix and for training. */
  readonly threads: number;
}

/** The names of {@link XgboostParams} that a cell's config or budget must set for {@link trainXgboost}. */
export const XGBOOST_SETTINGS = ['rounds', 'maxDepth', 'learningRate', 'subsample', 'colsampleBytree', 'minChildWeight', 'regLambda', 'maxBin', 'threads'] as const;

/** What the seed changes for the XGBoost family, for a study's description. */
export const XGBOOST_SEED_EFFECT =
  'the seed draws the training rows (subsample) and the features (colsample_bytree) each tree sees; the data and the bins are the same for every seed';

/** A trained booster: a frozen model of the harness, plus the model's bytes. */
export interface Booster extends FrozenModel {
  readonly numClasses: number;
  readonly numFeatures: number;
  /** Class probabilities, `count * numClasses` values, row-major. Synchronous. */
  predict(features: Float32Array, count: number): Float32Array;
  /** The model in XGBoost's Universal Binary JSON format (`XGBoosterSaveModelToBuffer`, `{"format": "ubj"}`). */
  saveModel(): Uint8Array;
  /** sha256 of {@link saveModel}'s bytes. */
  fingerprint(): string;
  /** Frees the native booster; further calls throw. Idempotent. */
  dispose(): void;
}

/** One dense matrix of examples for {@link trainBooster}. */
export interface BoosterData {
  /** `count * featureSize` values, row-major. NaN means missing (as in Python's xgboost). */
  readonly features: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
}

/** Metrics of one boosting round (evaluated by XGBoost itself, `mlogloss` and `merror`). */
export interface RoundLog {
  /** 1-based round. */
  readonly round: number;
  readonly trainLoss: number;
  readonly validationLoss?: number;
  /** A fraction in [0, 1]: 1 - `merror`. */
  readonly validationAccuracy?: number;
  /** Seconds since training started. */
  readonly seconds: number;
}

/** Options of {@link trainBooster}. */
export interface TrainBoosterOptions {
  readonly train: BoosterData;
  /** Features per example. */
  readonly featureSize: number;
  readonly params: XgboostParams;
  /** When given (and not empty), evaluated after every round together with the training loss. */
  readonly validation?: BoosterData;
  /** Called after every round when `evaluate` is true or a validation matrix is given. */
  readonly onRound?: (log: RoundLog) => void;
  /** Evaluate the training loss every round even without validation data. Default: only with `onRound`. */
  readonly evaluate?: boolean;
  /** A library path or file name instead of the search of {@link loadXgboost}. */
  readonly library?: string;
}

/** What {@link loadXgboost} found. */
export interface XgboostLibrary {
  /** The file name or path that was loaded. */
  readonly library: string;
  /** `major.minor.patch` from `XGBoostVersion`. */
  readonly version: string;
}

/** Options of {@link loadXgboost}: a library to load instead of the search, or how the search fetches. */
export interface LoadXgboostOptions extends DebianLibraryOptions {
  /** A library path or file name instead of the search (like `HYPOTEST_XGBOOST`). */
  readonly library?: string;
  /** Look for the system's library before the cache. Default: true (tests turn it off to load from a temporary cache). */
  readonly systemSearch?: boolean;
}

/**
 * Loads the XGBoost C library once per process (per library name) and returns its name, version and origin.
 * Search: `options.library`, else `HYPOTEST_XGBOOST` (only that, an explicit choice is never replaced); else the
 * system's `libxgboost.so.0` then `libxgboost.so` (Linux) or `libxgboost.dylib` (macOS); else, on Debian-like
 * systems, Debian's `libxgboost0` from the project's cache (`.cache/debian`), fetched there without root when
 * missing, with the dependencies the system lacks (`libdmlc0`, `libgomp1`), see `harness/system/debianFetch.ts`.
 * A library from the cache is recorded (package, version, sha256) in the run records' `environment.debianPackages`.
 *
 * @throws {XgboostUnavailableError} when koffi or the library cannot be loaded, the library lacks the C API, or the
 *   fetch failed; the message lists every step tried and says how to install it.
 * @example
 * loadXgboost().version // '1.7.4' with Debian 12's libxgboost0
 */
export function loadXgboost(options: LoadXgboostOptions = {}): XgboostLibrary & { origin: XgboostOrigin } {
  const api = bind(options.library, options);
  return { library: api.library, version: api.version, origin: api.origin };
}

/** Where the loaded XGBoost library came from. */
export type XgboostOrigin = 'explicit' | 'system' | 'cache' | 'fetch';

/**
 * Trains a `multi:softprob` booster with `tree_method: hist` for `params.rounds` rounds on dense float32
 * features, as Python's `xgboost.train(params, DMatrix(x, label=y), num_boost_round=rounds)` does.
 *
 * @throws {ModelError} for bad shapes, labels or parameters, or when XGBoost reports an error (its message is
 *   included). {@link XgboostUnavailableError} when the library is missing.
 * @example
 * const booster = trainBooster({ train: { features, labels, count }, featureSize: 784, params });
 * const probabilities = booster.predict(features, count); booster.dispose();
 */
export function trainBooster(options: TrainBoosterOptions): Booster {
  const { train, validation, featureSize, params } = options;
  checkParams(params);
  if (!Number.isInteger(featureSize) || featureSize < 1) throw new ModelError(`trainBooster: featureSize must be a positive integer, got ${featureSize}.`);
  checkData('train', train, featureSize, params.numClasses, 1);
  const withValidation = validation !== undefined && validation.count > 0;
  if (withValidation) checkData('validation', validation, featureSize, params.numClasses, 1);
  const api = bind(options.library);
  const matrices: bigint[] = [];
  let booster: bigint | null = null;
  try {
    const dtrain = api.matrix(train.features, train.count, featureSize, params.threads, 'trainBooster');
    matrices.push(dtrain);
    api.setLabels(dtrain, train.labels, 'trainBooster');
    if (withValidation) {
      const dvalid = api.matrix(validation.features, validation.count, featureSize, params.threads, 'trainBooster');
      matrices.push(dvalid);
      api.setLabels(dvalid, validation.labels, 'trainBooster');
    }
    // Every matrix evaluated later is in the booster's cache, so evaluating it after a round is incremental.
    booster = api.createBooster(matrices, 'trainBooster');
    for (const [name, value] of boosterParams(params)) api.check(api.fn.XGBoosterSetParam(booster, name, value), 'XGBoosterSetParam', 'trainBooster');
    const evaluate = options.evaluate === true || options.onRound !== undefined;
    const names = withValidation ? ['train', 'validation'] : ['train'];
    const startedAt = performance.now();
    for (let round = 0; round < params.rounds; round++) {
      api.check(api.fn.XGBoosterUpdateOneIter(booster, round, dtrain), 'XGBoosterUpdateOneIter', 'trainBooster');
      if (!evaluate) continue;
      // The result string is copied by koffi (`_Out_ const char **`).
      const out: [string | null] = [null];
      api.check(api.fn.XGBoosterEvalOneIter(booster, round, matrices, names, matrices.length, out), 'XGBoosterEvalOneIter', 'trainBooster');
      const values = parseEvaluation(out[0] ?? '');
      const log: RoundLog = {
        round: round + 1,
        trainLoss: values['train-mlogloss'],
        ...(withValidation ? { validationLoss: values['validation-mlogloss'], validationAccuracy: 1 - values['validation-merror'] } : {}),
        seconds: (performance.now() - startedAt) / 1000,
      };
      options.onRound?.(log);
    }
    const handle = booster;
    booster = null;
    return wrapBooster(api, handle, params.numClasses, featureSize, params.threads);
  } finally {
    if (booster !== null) api.fn.XGBoosterFree(booster);
    for (const matrix of matrices) api.fn.XGDMatrixFree(matrix);
  }
}

/** The configuration of an XGBoost cell: every field of {@link XGBOOST_SETTINGS}, here or in the budget. */
export interface XgboostCellConfig {
  readonly rounds?: number;
  readonly maxDepth?: number;
  readonly learningRate?: number;
  readonly subsample?: number;
  readonly colsampleBytree?: number;
  readonly minChildWeight?: number;
  readonly regLambda?: number;
  readonly maxBin?: number;
  readonly threads?: number;
  readonly [key: string]: unknown;
}

/** Options of {@link trainXgboost}. */
export interface TrainXgboostOptions {
  /** A library path or file name instead of the search of {@link loadXgboost}. */
  readonly library?: string;
}

/**
 * Trains the cell's gradient-boosted trees: a training function for `cell()`. Every setting of
 * {@link XGBOOST_SETTINGS} comes from `ctx.config`, else `ctx.budget` (the boosting rounds are usually the
 * budget's `rounds`); nothing falls back to a library default. `ctx.seed` is XGBoost's `seed`. Because hist
 * training ignores the seed when every row and feature is used, a configuration with `subsample` and
 * `colsampleBytree` both 1 is refused: its seeds would be copies of one run. Records each round's training
 * loss and validation loss and accuracy (XGBoost's `mlogloss` and `merror`) through `ctx.onEpoch` (one
 * "epoch" per round), and the library, version and speed through `ctx.recordEnvironment`. A non-finite
 * training loss is returned as a divergence.
 *
 * @throws {ModelError} when a setting is missing, out of range, or lets the seed do nothing;
 *   {@link XgboostUnavailableError} when the library is missing.
 * @example
 * cell(study, 'xgboost', { train: (ctx) => trainXgboost(ctx) });
 */
export async function trainXgboost<Config extends XgboostCellConfig>(ctx: TrainContext<Config>, options: TrainXgboostOptions = {}): Promise<TrainOutcome> {
  const config = ctx.config as XgboostCellConfig;
  const budget = ctx.budget as Readonly<Record<string, unknown>>;
  const missing = XGBOOST_SETTINGS.filter((key) => (config[key] ?? budget[key]) === undefined);
  if (missing.length > 0) {
    throw new ModelError(
      `trainXgboost (cell '${ctx.cell}'): ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set. Fix: set every one of ${XGBOOST_SETTINGS.join(', ')} in the cell's config or the study's budget (no library defaults are used).`,
    );
  }
  const setting = (key: (typeof XGBOOST_SETTINGS)[number]): number => {
    const value = config[key] ?? budget[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelError(`trainXgboost (cell '${ctx.cell}'): ${key} must be a finite number, got ${JSON.stringify(value)}. Fix the cell's config or the study's budget.`);
    }
    return value;
  };
  const train = ctx.data.train;
  const validation = ctx.data.validation;
  const params: XgboostParams = {
    numClasses: train.numClasses,
    rounds: setting('rounds'),
    maxDepth: setting('maxDepth'),
    learningRate: setting('learningRate'),
    subsample: setting('subsample'),
    colsampleBytree: setting('colsampleBytree'),
    minChildWeight: setting('minChildWeight'),
    regLambda: setting('regLambda'),
    maxBin: setting('maxBin'),
    threads: setting('threads'),
    seed: ctx.seed,
  };
  if (params.subsample === 1 && params.colsampleBytree === 1) {
    throw new ModelError(
      `trainXgboost (cell '${ctx.cell}'): subsample and colsampleBytree are both 1, so hist training ignores the seed and every seed trains the same trees. Fix: register subsample or colsampleBytree below 1 (e.g. 0.8) so that seeds are replicates.`,
    );
  }
  const featureSize = train.featureShape.reduce((a, b) => a * b, 1);
  const library = bind(options.library);
  let diverged: RoundLog | undefined;
  const startedAt = performance.now();
  const booster = trainBooster({
    train,
    validation,
    featureSize,
    params,
    library: library.library,
    onRound: (log) => {
      if (!Number.isFinite(log.trainLoss)) diverged ??= log;
      const epoch: EpochLog = { epoch: log.round, unit: 'round', of: params.rounds, trainLoss: log.trainLoss, seconds: Number(log.seconds.toFixed(3)) };
      if (log.validationAccuracy !== undefined) epoch.validationAccuracy = log.validationAccuracy;
      if (log.validationLoss !== undefined) epoch.validationLoss = log.validationLoss;
      ctx.onEpoch(epoch);
    },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  ctx.recordEnvironment({
    backend: 'xgboost',
    backendVersion: library.version,
    backendDetails: { library: library.library, origin: library.origin, treeMethod: 'hist', threads: params.threads },
    examplesPerSecond: Math.round((train.count * params.rounds) / seconds),
    trainStepSeconds: Number(seconds.toFixed(3)),
  });
  if (diverged !== undefined) {
    booster.dispose();
    return { status: 'diverged', divergence: { epoch: diverged.round, loss: String(diverged.trainLoss), reason: 'the training mlogloss became non-finite' } };
  }
  return { status: 'ok', model: booster };
}

// ---------------------------------------------------------------------------------------------------------

/**
 * The `(name, value)` pairs {@link trainBooster} sets with `XGBoosterSetParam`, in order, each value as Python's
 * xgboost writes it (`str(value)`); `xgboost.train(pairs, ...)` given these pairs trains the same booster.
 *
 * @example
 * boosterParams(params)[0] // ['objective', 'multi:softprob']
 */
export function boosterParams(params: XgboostParams): [string, string][] {
  return [
    ['objective', 'multi:softprob'],
    ['num_class', String(params.numClasses)],
    ['tree_method', 'hist'],
    ['max_depth', String(params.maxDepth)],
    ['eta', String(params.learningRate)],
    ['subsample', String(params.subsample)],
    ['colsample_bytree', String(params.colsampleBytree)],
    ['min_child_weight', String(params.minChildWeight)],
    ['lambda', String(params.regLambda)],
    ['max_bin', String(params.maxBin)],
    ['seed', String(params.seed)],
    ['nthread', String(params.threads)],
    ['eval_metric', 'mlogloss'],
    ['eval_metric', 'merror'],
  ];
}

function checkParams(params: XgboostParams): void {
  const fail = (what: string) => {
    throw new ModelError(`trainBooster: ${what}. Fix the parameters (see XgboostParams).`);
  };
  if (params === null || typeof params !== 'object') fail('params is missing');
  const integer = (key: keyof XgboostParams, min: number) => {
    if (!Number.isInteger(params[key]) || params[key] < min) fail(`${key} must be an integer >= ${min}, got ${params[key]}`);
  };
  integer('numClasses', 2);
  integer('rounds', 0);
  integer('maxDepth', 1);
  integer('maxBin', 1); // XGBoost checks max_bin >= 2 itself (its message is passed on)
  integer('threads', 1);
  if (!Number.isSafeInteger(params.seed) || params.seed < 0) fail(`seed must be a non-negative safe integer, got ${params.seed}`);
  const fraction = (key: 'subsample' | 'colsampleBytree') => {
    if (!(params[key] > 0 && params[key] <= 1)) fail(`${key} must be in (0, 1], got ${params[key]}`);
  };
  fraction('subsample');
  fraction('colsampleBytree');
  if (!(params.learningRate > 0 && Number.isFinite(params.learningRate))) fail(`learningRate must be positive, got ${params.learningRate}`);
  for (const key of ['minChildWeight', 'regLambda'] as const) {
    if (!(params[key] >= 0 && Number.isFinite(params[key]))) fail(`${key} must be a non-negative number, got ${params[key]}`);
  }
}

function checkData(name: string, data: BoosterData, featureSize: number, numClasses: number, minCount: number): void {
  if (!data || !(data.features instanceof Float32Array)) throw new ModelError(`trainBooster: ${name}.features must be a Float32Array.`);
  if (!Number.isInteger(data.count) || data.count < minCount) throw new ModelError(`trainBooster: ${name}.count must be an integer >= ${minCount}, got ${data.count}.`);
  if (data.features.length !== data.count * featureSize) {
    throw new ModelError(`trainBooster: ${name} has ${data.features.length} feature values for ${data.count} examples x ${featureSize} features.`);
  }
  if (data.labels.length !== data.count) throw new ModelError(`trainBooster: ${name} has ${data.labels.length} labels for ${data.count} examples.`);
  for (let i = 0; i < data.count; i++) {
    const label = data.labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ModelError(`trainBooster: ${name}.labels[${i}] is ${label}, not a class in 0..${numClasses - 1}.`);
    }
  }
}

/** "[3]\ttrain-mlogloss:0.52\tvalidation-mlogloss:0.61\tvalidation-merror:0.2" → { 'train-mlogloss': 0.52, ... } */
function parseEvaluation(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const part of text.split('\t').slice(1)) {
    const colon = part.lastIndexOf(':');
    values[part.slice(0, colon)] = Number(part.slice(colon + 1));
  }
  return values;
}

function wrapBooster(api: Api, handle: bigint, numClasses: number, numFeatures: number, threads: number): Booster {
  let live: bigint | null = handle;
  const alive = (what: string): bigint => {
    if (live === null) throw new ModelError(`Booster.${what}: the booster was disposed. Fix: call ${what} before dispose().`);
    return live;
  };
  let saved: Uint8Array | undefined;
  const saveModel = (): Uint8Array => {
    const booster = alive('saveModel');
    const length: [number | bigint] = [0];
    const out: [bigint | null] = [null];
    api.check(api.fn.XGBoosterSaveModelToBuffer(booster, '{"format": "ubj"}', length, out), 'XGBoosterSaveModelToBuffer', 'Booster.saveModel');
    return new Uint8Array(api.copy(out[0], Number(length[0])));
  };
  return {
    numClasses,
    numFeatures,
    predict(features: Float32Array, count: number): Float32Array {
      const booster = alive('predict');
      if (!(features instanceof Float32Array) || !Number.isInteger(count) || count < 0 || features.length !== count * numFeatures) {
        throw new ModelError(`Booster.predict: expected a Float32Array of ${count} x ${numFeatures} features, got ${features?.length} values.`);
      }
      if (count === 0) return new Float32Array(0);
      const matrix = api.matrix(features, count, numFeatures, threads, 'Booster.predict');
      try {
        const shape: [bigint | null] = [null];
        const dims: [number | bigint] = [0];
        const out: [bigint | null] = [null];
        const config = JSON.stringify({ type: 0, training: false, iteration_begin: 0, iteration_end: 0, strict_shape: true });
        api.check(api.fn.XGBoosterPredictFromDMatrix(booster, matrix, config, shape, dims, out), 'XGBoosterPredictFromDMatrix', 'Booster.predict');
        const sizes = Array.from(new BigUint64Array(api.copy(shape[0], 8 * Number(dims[0]))), Number);
        if (sizes.length !== 2 || sizes[0] !== count || sizes[1] !== numClasses) {
          throw new ModelError(`Booster.predict: XGBoost returned shape [${sizes.join(', ')}], expected [${count}, ${numClasses}].`);
        }
        return new Float32Array(api.copy(out[0], 4 * count * numClasses));
      } finally {
        api.fn.XGDMatrixFree(matrix);
      }
    },
    saveModel,
    fingerprint(): string {
      saved ??= saveModel();
      return sha256(saved);
    },
    dispose(): void {
      if (live === null) return;
      api.fn.XGBoosterFree(live);
      live = null;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Binding (once per process and library name).

type NativeFunction = (...args: unknown[]) => number;

interface Api {
  readonly library: string;
  readonly version: string;
  readonly origin: XgboostOrigin;
  readonly fn: Record<(typeof DECLARATIONS)[number][0], NativeFunction>;
  check(status: number, call: string, caller: string): void;
  copy(pointer: bigint | null, bytes: number): ArrayBuffer;
  matrix(features: Float32Array, count: number, featureSize: number, threads: number, caller: string): bigint;
  setLabels(matrix: bigint, labels: ArrayLike<number>, caller: string): void;
  createBooster(matrices: readonly bigint[], caller: string): bigint;
}

const DECLARATIONS = [
  ['XGBGetLastError', 'const char *XGBGetLastError(void)'],
  ['XGBoostVersion', 'void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'],
  ['XGDMatrixCreateFromMat_omp', 'int XGDMatrixCreateFromMat_omp(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out, int nthread)'],
  ['XGDMatrixSetFloatInfo', 'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)'],
  ['XGDMatrixFree', 'int XGDMatrixFree(void *handle)'],
  ['XGBoosterCreate', 'int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'],
  ['XGBoosterFree', 'int XGBoosterFree(void *handle)'],
  ['XGBoosterSetParam', 'int XGBoosterSetParam(void *handle, const char *name, const char *value)'],
  ['XGBoosterUpdateOneIter', 'int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)'],
  ['XGBoosterEvalOneIter', 'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)'],
  ['XGBoosterPredictFromDMatrix', 'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ void **outShape, _Out_ uint64_t *outDim, _Out_ void **outResult)'],
  ['XGBoosterSaveModelToBuffer', 'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *outLength, _Out_ void **outBuffer)'],
] as const;

interface Koffi {
  load(library: string): { func(definition: string): NativeFunction };
  view(pointer: bigint, length: number): ArrayBuffer;
}

const STATE_KEY = Symbol.for('hypotest.models.gbt');
const globalState = globalThis as unknown as Record<symbol, Map<string, Api> | undefined>;
const bound = (globalState[STATE_KEY] ??= new Map<string, Api>());

function candidates(requested: string | undefined): { names: string[]; explicit: boolean } {
  const chosen = requested?.trim() || process.env[XGBOOST_ENV_VAR]?.trim();
  if (chosen) return { names: [chosen], explicit: true };
  if (process.platform === 'darwin') return { names: ['libxgboost.dylib', '/opt/homebrew/lib/libxgboost.dylib', '/usr/local/lib/libxgboost.dylib'], explicit: false };
  if (process.platform === 'win32') return { names: ['xgboost.dll'], explicit: false };
  return { names: ['libxgboost.so.0', 'libxgboost.so'], explicit: false };
}

/** The process's one answer for the default search (system, else cache, else fetch), once found. */
const DEFAULT_KEY = '\0default';

function bind(requested: string | undefined, options: LoadXgboostOptions = {}): Api {
  const { names, explicit } = candidates(requested);
  const systemSearch = explicit || (options.systemSearch ?? !ignoringSystemPackages());
  const cacheKey = explicit ? null : `${DEFAULT_KEY}\0${systemSearch}\0${options.cacheDir ?? ''}`;
  if (cacheKey !== null && bound.has(cacheKey)) return bound.get(cacheKey)!;
  if (systemSearch) {
    for (const name of names) {
      const cached = bound.get(name);
      if (cached) return cached;
    }
  }
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (error) {
    throw new XgboostUnavailableError(`XGBoost: the koffi package could not be loaded (${firstLine(error)}). Fix: run npm install.`);
  }
  const failures: string[] = [];
  const attempt = (name: string, origin: XgboostOrigin): Api | null => {
    const cached = bound.get(name);
    if (cached) return cached;
    let lib: { func(definition: string): NativeFunction };
    try {
      lib = koffi.load(name);
    } catch (error) {
      failures.push(`${name}: ${firstLine(error)}`);
      return null;
    }
    const fn = {} as Api['fn'];
    try {
      for (const [key, declaration] of DECLARATIONS) fn[key] = lib.func(declaration);
    } catch (error) {
      failures.push(`${name}: not XGBoost's C API (${firstLine(error)})`);
      return null;
    }
    const api = makeApi(koffi, name, fn, origin);
    bound.set(name, api);
    return api;
  };
  if (systemSearch) {
    for (const name of names) {
      const api = attempt(name, explicit ? 'explicit' : 'system');
      if (api) {
        if (cacheKey !== null) bound.set(cacheKey, api);
        return api;
      }
    }
  }
  if (!explicit && process.platform === 'linux') {
    let packages: readonly DebianPackageProvenance[] = [];
    try {
      const fetched = debianLibrary({ package: 'libxgboost0', fileName: 'libxgboost.so.0', preload: (path) => koffi.load(path) }, options);
      packages = fetched.packages;
      const api = attempt(fetched.path, fetched.origin);
      if (api) {
        recordDebianPackagesInUse('xgboost', packages);
        bound.set(cacheKey!, api);
        return api;
      }
    } catch (error) {
      failures.push(`Debian package libxgboost0 from the project's cache, fetched without root: ${(error as Error).message}`);
    }
  }
  throw new XgboostUnavailableError(`XGBoost: the C library libxgboost could not be loaded (${failures.join('; ')}). Fix: ${INSTALL_HINT}.`);
}

function makeApi(koffi: Koffi, library: string, fn: Api['fn'], origin: XgboostOrigin): Api {
  const major: [number] = [0];
  const minor: [number] = [0];
  const patch: [number] = [0];
  fn.XGBoostVersion(major, minor, patch);
  const api: Api = {
    library,
    origin,
    version: `${major[0]}.${minor[0]}.${patch[0]}`,
    fn,
    check(status, call, caller) {
      if (status !== 0) {
        const reason = String(fn.XGBGetLastError() ?? '');
        throw new ModelError(`${caller}: XGBoost's ${call} failed: ${reason.trim() || `status ${status}`}`);
      }
    },
    copy(pointer, bytes) {
      if (bytes === 0) return new ArrayBuffer(0);
      if (pointer === null || pointer === 0n) throw new ModelError(`XGBoost returned a null buffer of ${bytes} bytes.`);
      // The buffer belongs to the booster and is overwritten by its next call: copy it now.
      return koffi.view(pointer, bytes).slice(0);
    },
    matrix(features, count, featureSize, threads, caller) {
      const out: [bigint | null] = [null];
      api.check(fn.XGDMatrixCreateFromMat_omp(features, count, featureSize, Number.NaN, out, threads), 'XGDMatrixCreateFromMat_omp', caller);
      return out[0] as bigint;
    },
    setLabels(matrix, labels, caller) {
      api.check(fn.XGDMatrixSetFloatInfo(matrix, 'label', Float32Array.from(labels), labels.length), 'XGDMatrixSetFloatInfo', caller);
    },
    createBooster(matrices, caller) {
      const out: [bigint | null] = [null];
      api.check(fn.XGBoosterCreate([...matrices], matrices.length, out), 'XGBoosterCreate', caller);
      return out[0] as bigint;
    },
  };
  return api;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
