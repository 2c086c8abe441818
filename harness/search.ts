/**
 * The shared search budget: a seeded random search over each arm's registered search space, on validation data only,
 * with the same number of trials and the same training budget (E epochs for networks, R boosting rounds for trees) for
 * every arm. `cell()` runs the trials before the final seeds; the final seeds train the chosen configuration.
 *
 * What lives here: the declaration's types and builders (`logUniform`, `uniform`, `integerUniform`, `choice`), its
 * validation (called by `defineStudy`), the sampler (trial k of arm a: a configuration drawn from seedrandom streams keyed
 * by the arm, the trial's seed and the parameter, so it never depends on run order), the trial records' keys and paths,
 * the choice (best validation accuracy, ties to the earlier trial) and `searchSummary` for reports.
 */
import { MissingSearchTrialError, SearchDefinitionError, SearchSelectionError } from './errors.ts';
import { createRandom } from './random.ts';
import { runKeyFor } from './runIdentity.ts';
import { readRecord, resultsDirectory, type RunRecord } from './store.ts';
import { closestField, type CellConfig, type Study, type StudyInput } from './study.ts';
import { cellFileHashes } from './studyFiles.ts';
import type { Profile } from './types.ts';
import { canonicalJson, sha256 } from './util.ts';
import { join } from 'node:path';

/** A value a search can give a setting. */
export type SearchValue = number | string | boolean;

/**
 * One parameter's distribution. `log-uniform`: `exp(U(ln low, ln high))`, 0 < low < high (learning rates, decays);
 * `uniform`: `U(low, high)`; `integer-uniform`: an integer from `low` to `high`, both included (tree depth);
 * `choice`: one of `values`, each equally likely (widths).
 */
export type SearchDistribution =
  | { readonly kind: 'log-uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'integer-uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'choice'; readonly values: readonly SearchValue[] };

/** A log-uniform distribution on [low, high] (0 < low < high). @example learningRate: logUniform(1e-4, 1e-2) */
export function logUniform(low: number, high: number): SearchDistribution {
  return { kind: 'log-uniform', low, high };
}

/** A uniform distribution on [low, high). @example weightDecay: uniform(0, 0.1) */
export function uniform(low: number, high: number): SearchDistribution {
  return { kind: 'uniform', low, high };
}

/** An integer from low to high, both included, each equally likely. @example maxDepth: integerUniform(3, 8) */
export function integerUniform(low: number, high: number): SearchDistribution {
  return { kind: 'integer-uniform', low, high };
}

/** One of `values`, each equally likely. @example width: choice([128, 256, 512]) */
export function choice(values: readonly SearchValue[]): SearchDistribution {
  return { kind: 'choice', values };
}

/**
 * One arm's search. `family` says which unit of the shared budget it trains for: `network` reads the budget's `epochs`
 * (E), `trees` its `rounds` (R). `space` maps settings of the arm's config to distributions; each sampled value overrides
 * the arm's registered default in `cells[arm]` (which must set it: the pilot trains the defaults).
 */
export interface SearchArm {
  readonly family: 'network' | 'trees';
  readonly space: Readonly<Record<string, SearchDistribution>>;
}

/**
 * How the shared budget was calibrated: seconds one trial of each arm took on `machine` with the registered budget's
 * `epochs` (and `rounds` when an arm is trees), measured by `command`. Every arm's seconds must be at most the search's
 * `secondsPerTrial`, and `epochs`/`rounds` must equal the registered budget's (change the budget: calibrate again).
 */
export interface SearchCalibration {
  /** The machine measured on, e.g. `2-core AMD Zen 4 (AVX-512), 24 GiB, Debian 12, Node 20, fast-cpu backend`. */
  readonly machine: string;
  /** When, as an ISO date (`2026-11-29`). */
  readonly date: string;
  /** How: the command run and which configuration of the space it timed (e.g. its slowest corner). */
  readonly command: string;
  /** The registered budget's `epochs` the networks were timed with. */
  readonly epochs: number;
  /** The registered budget's `rounds` the trees were timed with (required when an arm is `trees`). */
  readonly rounds?: number;
  /** Measured seconds per trial, per arm. */
  readonly secondsPerTrial: Readonly<Record<string, number>>;
}

/**
 * A study's search (`search` in `defineStudy`). Every arm runs `trials` trials; trial k (1-based) trains with
 * `seeds[k - 1]` on the train split and is scored on validation only; the final seeds train the configuration of the
 * trial with the best validation accuracy. The registered profile runs every trial, `quick` the first `quickTrials`
 * (default 2, or `trials` when fewer) on the quick budget, and `pilot` none (the arms' registered defaults).
 */
export interface SearchPlan {
  /** Trials per arm, the same for every arm. */
  readonly trials: number;
  /** One training seed per trial (`trials` of them), none of them a final seed of the study. */
  readonly seeds: readonly number[];
  /** Trials of the quick profile (a prefix of the registered trials); default `min(2, trials)`. */
  readonly quickTrials?: number;
  /** T: the most seconds one trial may take on the calibration machine. */
  readonly secondsPerTrial: number;
  readonly calibration: SearchCalibration;
  /** Every arm (cell) of the study, with its family and space. */
  readonly arms: Readonly<Record<string, SearchArm>>;
  /** Why this space and budget (optional, for the reader). */
  readonly reason?: string;
}

/** Settings a search may not sample, nor an arm's config set: they are the shared budget (or the data it sees). */
export const SEARCH_BUDGET_SETTINGS: readonly string[] = Object.freeze(['epochs', 'rounds', 'trainExamples', 'validationExamples']);

const PLAN_FIELDS = ['trials', 'seeds', 'quickTrials', 'secondsPerTrial', 'calibration', 'arms', 'reason'];
const CALIBRATION_FIELDS = ['machine', 'date', 'command', 'epochs', 'rounds', 'secondsPerTrial'];
const ARM_FIELDS = ['family', 'space'];
const DISTRIBUTION_FIELDS: Record<SearchDistribution['kind'], readonly string[]> = {
  'log-uniform': ['kind', 'low', 'high'],
  uniform: ['kind', 'low', 'high'],
  'integer-uniform': ['kind', 'low', 'high'],
  choice: ['kind', 'values'],
};

/**
 * Validates a study's `search` against the rest of the declaration (called by `defineStudy` after the cells, seeds and
 * budgets are checked; a study without `search` passes).
 *
 * @throws {SearchDefinitionError} naming the field and the fix: unknown fields, trials or seeds that do not match,
 *   a search seed that is also a final seed, an arm missing or unknown, an empty or malformed space, a sampled setting
 *   without a registered default or of another type, a budget setting searched or set per arm, trees without `rounds`
 *   in a budget, a calibration that does not cover every arm, exceeds `secondsPerTrial` or used another budget.
 * @example
 * validateSearchPlan(input) // inside defineStudy
 */
export function validateSearchPlan(input: StudyInput): void {
  const search = input.search;
  if (search === undefined) return;
  const study = typeof input.name === 'string' ? input.name : '?';
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SearchDefinitionError(`defineStudy('${study}'): ${field}: ${problem}. Fix: ${fix}.`);
  };
  const isObject = (value: unknown): value is object => !!value && typeof value === 'object' && !Array.isArray(value);
  const rejectUnknown = (where: string, value: object, known: readonly string[]): void => {
    for (const field of Object.keys(value)) {
      if (known.includes(field)) continue;
      const near = closestField(field, known);
      fail(`${where}.${field}`, `is not a field of ${where}`, near ? `did you mean '${near}'? Known fields: ${known.join(', ')}` : `remove it; known fields: ${known.join(', ')}`);
    }
  };
  const positiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

  if (!isObject(search)) fail('search', 'is not an object', 'declare search: { trials, seeds, secondsPerTrial, calibration, arms }, or leave it out');
  rejectUnknown('search', search, PLAN_FIELDS);
  const cellIds = Object.keys(input.cells);

  // Trials and seeds
  if (!positiveInteger(search.trials)) fail('search.trials', `must be a positive integer, got ${JSON.stringify(search.trials)}`, 'give every arm the same number of trials, e.g. trials: 8');
  if (!Array.isArray(search.seeds)) fail('search.seeds', 'is not a list', `list one training seed per trial, e.g. seeds: [${Array.from({ length: Math.min(search.trials, 4) }, (_, i) => 901 + i).join(', ')}${search.trials > 4 ? ', ...' : ''}]`);
  if (search.seeds.length !== search.trials) fail('search.seeds', `has ${search.seeds.length} seeds for ${search.trials} trials`, 'list exactly one seed per trial');
  for (const seed of search.seeds) {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) fail('search.seeds', `${JSON.stringify(seed)} is not a non-negative integer`, 'use integers such as 901, 902');
    if (input.seeds.includes(seed)) fail('search.seeds', `seed ${seed} is also a final seed of the study`, 'use search seeds disjoint from the study\'s seeds, so no final run repeats a trial');
  }
  if (new Set(search.seeds).size !== search.seeds.length) fail('search.seeds', 'contains duplicates', 'list each seed once');
  if (search.quickTrials !== undefined && (!positiveInteger(search.quickTrials) || search.quickTrials > search.trials)) {
    fail('search.quickTrials', `must be an integer from 1 to trials (${search.trials}), got ${JSON.stringify(search.quickTrials)}`, 'leave it out for min(2, trials)');
  }
  if (search.reason !== undefined && (typeof search.reason !== 'string' || search.reason.trim() === '')) fail('search.reason', 'is not a non-empty string', 'say why this space and budget, or leave it out');

  // Arms: exactly the study's cells.
  if (!isObject(search.arms)) fail('search.arms', 'is not an object of arm → { family, space }', `declare every arm: ${cellIds.join(', ')}`);
  for (const arm of Object.keys(search.arms)) {
    if (!cellIds.includes(arm)) {
      const near = closestField(arm, cellIds);
      fail(`search.arms["${arm}"]`, 'is not a cell of the study', near ? `did you mean '${near}'? Cells: ${cellIds.join(', ')}` : `use the cells: ${cellIds.join(', ')}`);
    }
  }
  for (const arm of cellIds) {
    if (!Object.hasOwn(search.arms, arm)) fail('search.arms', `has no search for arm '${arm}'`, 'give every arm a space: the search budget is the same for every arm');
  }
  const factors = Object.keys(input.factors ?? {});
  const trees = cellIds.filter((arm) => search.arms[arm]?.family === 'trees');
  for (const arm of cellIds) {
    const where = `search.arms["${arm}"]`;
    const declared = search.arms[arm];
    if (!isObject(declared)) fail(where, 'is not an object', "declare { family: 'network' | 'trees', space: { ... } }");
    rejectUnknown(where, declared, ARM_FIELDS);
    if (declared.family !== 'network' && declared.family !== 'trees') fail(`${where}.family`, `must be 'network' (trains for the budget's epochs) or 'trees' (for its rounds), got ${JSON.stringify(declared.family)}`, 'name the family');
    if (!isObject(declared.space) || Object.keys(declared.space).length === 0) fail(`${where}.space`, 'is missing or empty', 'give at least one setting a distribution, e.g. { learningRate: logUniform(1e-4, 1e-2) }');
    const config = input.cells[arm] as Record<string, unknown>;
    for (const setting of SEARCH_BUDGET_SETTINGS) {
      if (config[setting] !== undefined) fail(`cells["${arm}"].${setting}`, `a searched arm may not set ${setting}: it is the shared budget (a config value wins over the budget)`, `remove it from the arm and register it in the study's budget`);
    }
    for (const [setting, distribution] of Object.entries(declared.space)) {
      const field = `${where}.space.${setting}`;
      if (SEARCH_BUDGET_SETTINGS.includes(setting)) fail(field, `${setting} is the shared budget, not a searched setting`, `register ${setting} in the study's budget (the same for every arm)`);
      if (factors.includes(setting)) fail(field, `${setting} is a factor of the design`, 'search settings other than the factors');
      const fallback = config[setting];
      if (fallback === undefined) {
        const near = closestField(setting, Object.keys(config));
        fail(field, `cells["${arm}"] registers no default ${setting} (the pilot trains the defaults, and a misspelt setting would be searched without effect)`, near ? `did you mean '${near}'? Otherwise add ${setting} to cells["${arm}"]` : `add ${setting} to cells["${arm}"]`);
      }
      validateDistribution(field, distribution, fallback, fail);
    }
  }
  for (const profile of ['registered', 'quick'] as const) {
    if (trees.length > 0 && !positiveInteger((input.budget[profile] as Record<string, unknown>).rounds)) {
      fail(`budget.${profile}.rounds`, `must be a positive integer: arm ${trees.map((a) => `'${a}'`).join(', ')} ${trees.length === 1 ? 'is' : 'are'} searched as trees, which train for the budget's rounds (R)`, 'register rounds in the budget, e.g. rounds: 100');
    }
  }

  // The budget per trial and its calibration.
  if (typeof search.secondsPerTrial !== 'number' || !Number.isFinite(search.secondsPerTrial) || search.secondsPerTrial <= 0) {
    fail('search.secondsPerTrial', `must be a positive number of seconds, got ${JSON.stringify(search.secondsPerTrial)}`, 'register T, the most seconds one trial may take, e.g. secondsPerTrial: 60');
  }
  const calibration = search.calibration;
  if (!isObject(calibration)) fail('search.calibration', 'is missing', 'record how the budget was calibrated: { machine, date, command, epochs, rounds, secondsPerTrial: { <arm>: seconds } }');
  rejectUnknown('search.calibration', calibration, CALIBRATION_FIELDS);
  for (const field of ['machine', 'date', 'command'] as const) {
    if (typeof calibration[field] !== 'string' || calibration[field].trim() === '') fail(`search.calibration.${field}`, 'missing or empty', `record the calibration's ${field}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(calibration.date)) fail('search.calibration.date', `must be an ISO date, got ${JSON.stringify(calibration.date)}`, 'write e.g. 2026-11-29');
  const registered = input.budget.registered as Record<string, unknown>;
  if (calibration.epochs !== registered.epochs) fail('search.calibration.epochs', `is ${JSON.stringify(calibration.epochs)} but the registered budget trains ${JSON.stringify(registered.epochs)} epochs`, 'calibrate again with the registered budget, and record its epochs');
  if (trees.length > 0 && calibration.rounds !== registered.rounds) fail('search.calibration.rounds', `is ${JSON.stringify(calibration.rounds)} but the registered budget trains ${JSON.stringify(registered.rounds)} rounds`, 'calibrate the trees again with the registered budget, and record its rounds');
  if (trees.length === 0 && calibration.rounds !== undefined) fail('search.calibration.rounds', 'is set but no arm is trees', 'leave it out');
  if (!isObject(calibration.secondsPerTrial)) fail('search.calibration.secondsPerTrial', 'is not an object of arm → seconds', 'record the measured seconds per trial of every arm');
  for (const arm of Object.keys(calibration.secondsPerTrial)) {
    if (!cellIds.includes(arm)) fail(`search.calibration.secondsPerTrial["${arm}"]`, 'is not an arm of the study', `use the arms: ${cellIds.join(', ')}`);
  }
  for (const arm of cellIds) {
    const seconds = calibration.secondsPerTrial[arm];
    const field = `search.calibration.secondsPerTrial["${arm}"]`;
    if (seconds === undefined) fail(field, 'is missing', 'measure every arm (the budget is calibrated for every family)');
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) fail(field, `must be a positive number of seconds, got ${JSON.stringify(seconds)}`, 'record the measured seconds');
    if (seconds > search.secondsPerTrial) {
      const unit = search.arms[arm].family === 'trees' ? 'rounds' : 'epochs';
      fail(field, `${seconds} s per trial exceeds secondsPerTrial (${search.secondsPerTrial} s)`, `lower the budget's ${unit} until a trial fits in ${search.secondsPerTrial} s and calibrate again (or register a larger secondsPerTrial)`);
    }
  }
}

function validateDistribution(field: string, distribution: unknown, fallback: unknown, fail: (field: string, problem: string, fix: string) => never): void {
  const example = 'logUniform(1e-4, 1e-2), uniform(0, 0.1), integerUniform(3, 8) or choice([128, 256])';
  if (!distribution || typeof distribution !== 'object' || Array.isArray(distribution)) fail(field, 'is not a distribution', `use ${example}`);
  const value = distribution as Record<string, unknown>;
  const kind = value.kind as SearchDistribution['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(DISTRIBUTION_FIELDS, kind)) fail(`${field}.kind`, `must be one of ${Object.keys(DISTRIBUTION_FIELDS).join(', ')}, got ${JSON.stringify(kind)}`, `use ${example}`);
  for (const key of Object.keys(value)) {
    if (!DISTRIBUTION_FIELDS[kind].includes(key)) fail(`${field}.${key}`, `is not a field of a ${kind} distribution`, `use ${DISTRIBUTION_FIELDS[kind].join(', ')}`);
  }
  if (kind === 'choice') {
    const values = value.values;
    if (!Array.isArray(values) || values.length < 2) fail(`${field}.values`, 'needs at least two values', 'list the values to choose from, e.g. choice([128, 256])');
    for (const v of values) {
      if (!['number', 'string', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v))) fail(`${field}.values`, `${JSON.stringify(v)} is not a finite number, a string or a boolean`, 'use plain values');
      if (typeof v !== typeof fallback) fail(`${field}.values`, `${JSON.stringify(v)} is a ${typeof v} but the arm's default is ${JSON.stringify(fallback)} (a ${typeof fallback})`, 'give values of the default\'s type (mind number vs string)');
    }
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) fail(`${field}.values`, 'has duplicates', 'list each value once');
    return;
  }
  const { low, high } = value;
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) fail(field, `low and high must be finite numbers, got ${JSON.stringify(low)} and ${JSON.stringify(high)}`, `use e.g. ${kind === 'log-uniform' ? 'logUniform(1e-4, 1e-2)' : kind === 'uniform' ? 'uniform(0, 0.1)' : 'integerUniform(3, 8)'}`);
  if (!(low < high)) fail(field, `low (${low}) must be below high (${high})`, 'give an interval with low < high, or fix the setting in the arm\'s config instead of searching it');
  if (kind === 'log-uniform' && !(low > 0)) fail(field, `a log-uniform needs low > 0, got ${low}`, 'use a positive lower bound, e.g. 1e-5, or a uniform distribution');
  if (kind === 'integer-uniform' && (!Number.isInteger(low) || !Number.isInteger(high))) fail(field, `an integer-uniform needs integer bounds, got ${low} and ${high}`, 'use integers, e.g. integerUniform(3, 8)');
  if (typeof fallback !== 'number') fail(field, `samples numbers but the arm's default is ${JSON.stringify(fallback)} (a ${typeof fallback})`, 'search a numeric setting, or use choice([...]) of the default\'s type');
}

// ---------------------------------------------------------------------------------------------------------
// Sampling

/**
 * The trials a profile runs for each arm: every registered trial, the quick profile's prefix (`quickTrials`, default
 * `min(2, trials)`), or 0 under the pilot and for a study without a search (the arms' registered defaults train).
 *
 * @example
 * searchTrialsFor(study, 'quick') // 2
 */
export function searchTrialsFor(study: Study, profile: Profile): number {
  const search = study.search;
  if (!search || profile === 'pilot') return 0;
  return profile === 'quick' ? search.quickTrials ?? Math.min(2, search.trials) : search.trials;
}

/**
 * The training seed of trial `trial` (1-based) of a study's search.
 *
 * @throws {MissingSearchTrialError} when the study has no search or no such trial.
 */
export function searchTrialSeed(study: Study, trial: number): number {
  const search = study.search;
  if (!search || !Number.isInteger(trial) || trial < 1 || trial > search.trials) {
    throw new MissingSearchTrialError(`study '${study.name}': no search trial ${trial} (${search ? `trials are 1 to ${search.trials}` : 'the study declares no search'}). Fix: ask for a declared trial.`);
  }
  return search.seeds[trial - 1];
}

/**
 * Draws one value from a distribution with a uniform number `u` in [0, 1).
 *
 * @example
 * sampleDistribution(logUniform(1e-4, 1e-2), 0.5) // 1e-3
 */
export function sampleDistribution(distribution: SearchDistribution, u: number): SearchValue {
  switch (distribution.kind) {
    case 'log-uniform': {
      const low = Math.log(distribution.low);
      return Math.min(distribution.high, Math.max(distribution.low, Math.exp(low + u * (Math.log(distribution.high) - low))));
    }
    case 'uniform':
      return distribution.low + u * (distribution.high - distribution.low);
    case 'integer-uniform':
      return Math.min(distribution.high, distribution.low + Math.floor(u * (distribution.high - distribution.low + 1)));
    case 'choice':
      return distribution.values[Math.min(distribution.values.length - 1, Math.floor(u * distribution.values.length))];
  }
}

/**
 * The settings trial `trial` (1-based) of `arm` samples, in the order of the parameter names. Each parameter draws from
 * its own seedrandom stream keyed by the arm, the trial's seed and the parameter (`search/<arm>/<seed>/<parameter>`), so
 * the configuration is the same on every machine, in every run order and whatever else the space holds.
 *
 * @throws {MissingSearchTrialError} when the study has no search or no such trial; {@link SearchDefinitionError} for an unknown arm.
 * @example
 * sampleTrial(study, 'mlp', 1) // { learningRate: 0.00231..., width: 128 }
 */
export function sampleTrial(study: Study, arm: string, trial: number): Record<string, SearchValue> {
  const seed = searchTrialSeed(study, trial);
  const declared = study.search!.arms[arm];
  if (!declared) throw new SearchDefinitionError(`study '${study.name}': the search has no arm '${arm}'. Fix: use one of ${Object.keys(study.search!.arms).join(', ')}.`);
  const sampled: Record<string, SearchValue> = {};
  for (const parameter of Object.keys(declared.space).sort()) {
    sampled[parameter] = sampleDistribution(declared.space[parameter], createRandom(`search/${arm}/${seed}/${parameter}`)());
  }
  return sampled;
}

/** The config trial `trial` of `arm` trains: the arm's registered config with the sampled settings over it. */
export function trialConfig(study: Study, arm: string, trial: number): CellConfig {
  return { ...study.cells[arm], ...sampleTrial(study, arm, trial) };
}

// ---------------------------------------------------------------------------------------------------------
// Records

/** What a search trial's record carries beside the run record's fields. */
export interface SearchTrialMark {
  readonly kind: 'trial';
  /** 1-based. */
  readonly trial: number;
  readonly seed: number;
  /** The sampled settings (the record's `config` is the arm's config with them over it). */
  readonly sampled: Record<string, SearchValue>;
}

/** What a final run of a searched arm carries: the trial chosen and why. */
export interface SearchChoice {
  readonly kind: 'chosen';
  /** The chosen trial, 1-based. */
  readonly trial: number;
  readonly seed: number;
  readonly sampled: Record<string, SearchValue>;
  /** The chosen trial's validation accuracy, in percent. */
  readonly validationAccuracy: number;
  /** How many trials were compared (the profile's). */
  readonly trials: number;
  /** The keys of the trial records compared, in trial order. */
  readonly trialKeys: readonly string[];
}

/** A run record of a searched study: a trial (`search.kind === 'trial'`) or a final run with its choice. */
export type SearchedRunRecord = RunRecord & { search?: SearchTrialMark | SearchChoice };

/** Where trial `trial` of a cell is stored: `results/<study>/<cell>/search/trial-<k>.json` (other profiles: `results/.<profile>/...`). */
export function trialRecordPath(root: string, study: string, profile: Profile, cell: string, trial: number): string {
  return join(resultsDirectory(root, study, profile), cell, 'search', `trial-${trial}.json`);
}

/** A trial's place in the store: its key, path, the cell's files, its config and seed, and the stored record when its key matches. */
export interface StoredTrial {
  key: string;
  path: string;
  cellFiles: Record<string, string>;
  seed: number;
  config: CellConfig;
  sampled: Record<string, SearchValue>;
  record: SearchedRunRecord | null;
}

/**
 * Finds a stored search trial. Its key is sha256 of `{ searchTrial: k, run: runKeyFor(...) }` with the trial's config and
 * seed, so it differs from every final run's key and changes with the lock (registered), the cell's files, the sampled
 * config, the budget and the dataset, like a final run's.
 *
 * @throws {MissingSearchTrialError} for a trial the search does not declare; what `findStoredRun` throws for the cell's files or records.
 * @example
 * const { record, key, path } = findStoredTrial(root, { study, cell: 'mlp', trial: 1, profile: 'quick', lockHash: null })
 */
export function findStoredTrial(root: string, run: { study: Study; cell: string; trial: number; profile: Profile; lockHash: string | null }): StoredTrial {
  const { study, cell, trial, profile, lockHash } = run;
  const seed = searchTrialSeed(study, trial);
  const sampled = sampleTrial(study, cell, trial);
  const config = { ...study.cells[cell], ...sampled };
  const cellFiles = cellFileHashes(study.directory(root), cell);
  const key = sha256(canonicalJson({ searchTrial: trial, run: runKeyFor({ study, cell, seed, profile, lockHash, config }, cellFiles) }));
  const path = trialRecordPath(root, study.name, profile, cell, trial);
  const stored = readRecord(path) as SearchedRunRecord | null;
  return { key, path, cellFiles, seed, config, sampled, record: stored !== null && stored.key === key ? stored : null };
}

/**
 * Chooses among an arm's trial records: the trial with the best validation accuracy; ties go to the earlier trial.
 * Diverged trials are never chosen.
 *
 * @throws {SearchSelectionError} when every trial diverged or none has a validation accuracy.
 * @example
 * chooseTrial([{ trial: 1, ... }, { trial: 2, ... }]).trial
 */
export function chooseTrial(trials: readonly { trial: number; seed: number; sampled: Record<string, SearchValue>; key: string; record: RunRecord }[], where = 'search'): SearchChoice {
  let best: (typeof trials)[number] | null = null;
  for (const candidate of [...trials].sort((a, b) => a.trial - b.trial)) {
    const accuracy = candidate.record.status === 'ok' ? candidate.record.metrics.validation?.accuracy : undefined;
    if (typeof accuracy !== 'number' || !Number.isFinite(accuracy)) continue;
    if (best === null || accuracy > best.record.metrics.validation!.accuracy) best = candidate;
  }
  if (best === null) {
    throw new SearchSelectionError(`${where}: none of the ${trials.length} trials has a validation accuracy (every one diverged), so no configuration can be chosen. Fix: narrow the space (e.g. lower learning rates) as a recorded deviation.`);
  }
  return {
    kind: 'chosen', trial: best.trial, seed: best.seed, sampled: best.sampled, validationAccuracy: best.record.metrics.validation!.accuracy,
    trials: trials.length, trialKeys: [...trials].sort((a, b) => a.trial - b.trial).map((t) => t.key),
  };
}

/**
 * The configuration a final run of `cell` trains under `profile`: with a search (registered and quick), the arm's config
 * with the chosen trial's settings over it, read from the stored trial records; without one (and under the pilot), the
 * cell's registered config and no choice.
 *
 * @throws {MissingSearchTrialError} when a trial the profile runs is not stored (the cell's trials run first);
 *   {@link SearchSelectionError} when every trial diverged.
 * @example
 * const { config, choice } = searchedConfiguration(root, { study, cell: 'mlp', profile: 'registered', lockHash })
 */
export function searchedConfiguration(root: string, run: { study: Study; cell: string; profile: Profile; lockHash: string | null }): { config: CellConfig; choice: SearchChoice | null } {
  const { study, cell, profile } = run;
  const count = searchTrialsFor(study, profile);
  if (count === 0) return { config: study.cells[cell], choice: null };
  const trials = [];
  const missing: number[] = [];
  for (let trial = 1; trial <= count; trial++) {
    const stored = findStoredTrial(root, { ...run, trial });
    if (stored.record === null) missing.push(trial);
    else trials.push({ trial, seed: stored.seed, sampled: stored.sampled, key: stored.key, record: stored.record });
  }
  if (missing.length > 0) {
    throw new MissingSearchTrialError(
      `study '${study.name}', cell '${cell}' (${profile} profile): search trial${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} not stored (with this lock, config, budget and cell code), so the final seeds have no chosen configuration. ` +
        `Fix: run the cell's file whole (npx vitest run experiments/${study.name}/cells/${cell}.exp.ts): its search trials run before its seeds.`,
    );
  }
  const choice = chooseTrial(trials, `study '${study.name}', cell '${cell}' (${profile} profile)`);
  return { config: { ...study.cells[cell], ...choice.sampled }, choice };
}

// ---------------------------------------------------------------------------------------------------------
// Reports

/** One trial in a {@link SearchSummary}. */
export interface SearchTrialSummary {
  trial: number;
  seed: number;
  sampled: Record<string, SearchValue>;
  status: 'ok' | 'diverged' | 'missing';
  /** Validation accuracy in percent (absent when diverged or missing). */
  validationAccuracy?: number;
  trainSeconds?: number;
  /** Whether training took longer than the registered seconds per trial. */
  overBudget?: boolean;
}

/** An arm's search: its trials and the chosen one (null while a trial is missing or when every one diverged). */
export interface SearchArmSummary {
  arm: string;
  family: 'network' | 'trees';
  trials: SearchTrialSummary[];
  chosen: { trial: number; seed: number; sampled: Record<string, SearchValue>; validationAccuracy: number; config: CellConfig } | null;
  /** Why nothing was chosen, when `chosen` is null. */
  problem?: string;
}

/** A study's search under one profile, for reports. */
export interface SearchSummary {
  study: string;
  profile: Profile;
  trials: number;
  /** The shared budget: E (epochs), R (rounds) and T (seconds per trial), as registered, and the calibration. */
  budget: { epochs: number; rounds?: number; secondsPerTrial: number; calibration: SearchCalibration };
  arms: SearchArmSummary[];
}

/**
 * Lists every arm's trials and chosen configuration from trial records (pure: pass the records whose keys match, as
 * {@link readSearchRecords} returns them; a record is matched to its arm and trial by its `cell` and `search.trial`).
 * The choice is {@link chooseTrial}'s, the one the final seeds train.
 *
 * @throws {SearchDefinitionError} when the study declares no search.
 * @example
 * const summary = searchSummary(study, readSearchRecords(root, study, 'registered', lock.hash), { profile: 'registered' });
 * summary.arms.map((a) => `${a.arm}: trial ${a.chosen?.trial}`)
 */
export function searchSummary(study: Study, records: readonly SearchedRunRecord[], options: { profile: Profile }): SearchSummary {
  const search = study.search;
  if (!search) throw new SearchDefinitionError(`searchSummary: study '${study.name}' declares no search. Fix: ask only for studies with a search.`);
  const { profile } = options;
  const count = searchTrialsFor(study, profile);
  const registered = budgetOf(study, profile);
  const arms: SearchArmSummary[] = study.cellIds.map((arm) => {
    const trials: SearchTrialSummary[] = [];
    const found: Parameters<typeof chooseTrial>[0][number][] = [];
    for (let trial = 1; trial <= count; trial++) {
      const seed = search.seeds[trial - 1];
      const sampled = sampleTrial(study, arm, trial);
      const record = records.find((r) => r.cell === arm && r.search?.kind === 'trial' && r.search.trial === trial && r.profile === profile);
      if (!record) {
        trials.push({ trial, seed, sampled, status: 'missing' });
        continue;
      }
      const trainSeconds = record.timings?.trainSeconds;
      trials.push({
        trial, seed, sampled, status: record.status,
        ...(record.status === 'ok' && record.metrics.validation ? { validationAccuracy: record.metrics.validation.accuracy } : {}),
        ...(typeof trainSeconds === 'number' ? { trainSeconds, overBudget: profile === 'registered' && trainSeconds > search.secondsPerTrial } : {}),
      });
      found.push({ trial, seed, sampled, key: record.key, record });
    }
    const summary: SearchArmSummary = { arm, family: search.arms[arm].family, trials, chosen: null };
    if (found.length < count) {
      summary.problem = `trial${count - found.length === 1 ? '' : 's'} ${trials.filter((t) => t.status === 'missing').map((t) => t.trial).join(', ')} missing`;
      return summary;
    }
    try {
      const chosen = chooseTrial(found);
      summary.chosen = { trial: chosen.trial, seed: chosen.seed, sampled: chosen.sampled, validationAccuracy: chosen.validationAccuracy, config: { ...study.cells[arm], ...chosen.sampled } };
    } catch (error) {
      if (!(error instanceof SearchSelectionError)) throw error;
      summary.problem = 'every trial diverged';
    }
    return summary;
  });
  return {
    study: study.name, profile, trials: count,
    budget: { epochs: registered.epochs, ...(typeof registered.rounds === 'number' ? { rounds: registered.rounds } : {}), secondsPerTrial: search.secondsPerTrial, calibration: search.calibration },
    arms,
  };
}

/**
 * The stored trial records of a study's search under one profile and lock whose keys match (see {@link findStoredTrial}),
 * for {@link searchSummary}. Empty for a study without a search and under the pilot.
 *
 * @example
 * searchSummary(study, readSearchRecords(root, study, 'quick', null), { profile: 'quick' })
 */
export function readSearchRecords(root: string, study: Study, profile: Profile, lockHash: string | null): SearchedRunRecord[] {
  const records: SearchedRunRecord[] = [];
  const count = searchTrialsFor(study, profile);
  for (const cell of study.cellIds) {
    for (let trial = 1; trial <= count; trial++) {
      const { record } = findStoredTrial(root, { study, cell, trial, profile, lockHash });
      if (record) records.push(record);
    }
  }
  return records;
}

/**
 * Text lines of a search summary: per arm, each trial's sampled settings and validation accuracy, and the chosen one.
 *
 * @example
 * for (const line of renderSearchSummary(summary)) console.log(line)
 */
export function renderSearchSummary(summary: SearchSummary): string[] {
  const lines = [
    `search of '${summary.study}' (${summary.profile} profile): ${summary.trials} trials per arm, ${summary.budget.epochs} epochs (networks)` +
      `${summary.budget.rounds !== undefined ? `, ${summary.budget.rounds} rounds (trees)` : ''}, at most ${summary.budget.secondsPerTrial} s per trial on ${summary.budget.calibration.machine} (calibrated ${summary.budget.calibration.date})`,
  ];
  for (const arm of summary.arms) {
    lines.push(`  ${arm.arm} (${arm.family}): ${arm.chosen ? `chose trial ${arm.chosen.trial} (${formatSettings(arm.chosen.sampled)}; validation ${arm.chosen.validationAccuracy.toFixed(2)}%)` : `nothing chosen: ${arm.problem}`}`);
    for (const trial of arm.trials) {
      const result = trial.status === 'ok' ? `validation ${trial.validationAccuracy?.toFixed(2)}%` : trial.status;
      const time = trial.trainSeconds !== undefined ? `, ${trial.trainSeconds.toFixed(1)} s${trial.overBudget ? ' (over the budget)' : ''}` : '';
      lines.push(`    trial ${trial.trial} (seed ${trial.seed}): ${formatSettings(trial.sampled)} → ${result}${time}`);
    }
  }
  return lines;
}

/** Settings as `name=value` pairs, numbers to four significant digits. @example formatSettings({ lr: 0.0012345 }) // 'lr=0.001235' */
export function formatSettings(settings: Record<string, SearchValue>): string {
  return Object.entries(settings).map(([name, value]) => `${name}=${typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : String(value)}`).join(', ');
}

function budgetOf(study: Study, profile: Profile): Record<string, number> {
  return (profile === 'quick' ? study.budget.quick : study.budget.registered) as unknown as Record<string, number>;
}
