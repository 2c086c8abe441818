import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StudyDefinitionError } from './errors.ts';
import { sealDataset } from './data/sealedDataset.ts';
import { validateSearchPlan, type SearchPlan } from './search.ts';
import type { Budget, DatasetSpec, SealedDatasetSpec } from './types.ts';

/**
 * Metrics the harness computes from predicted class probabilities, on every evaluated split (validation, test, shift):
 * - `accuracy`: percent of examples whose most probable class is the true one (values in %, effects in pp); higher is better.
 * - `macroF1`: the unweighted mean over classes of each class's F1, in percent (values in %, effects in pp); higher is better.
 * - `nll`: mean negative log-likelihood of the true class, in nats per example; lower is better.
 * - `ece`: top-label expected calibration error (Guo et al. 2017) with `metrics.eceBins` equal-width bins (default
 *   {@link DEFAULT_ECE_BINS}), in percent (values in %, effects in pp, like accuracy); lower is better.
 * - `brier`: multi-class Brier score, the mean over examples of Σ_k (p_k − [k = y])², in [0, 2] (unit 'Brier'); lower is better.
 */
export type MetricName = 'accuracy' | 'macroF1' | 'nll' | 'ece' | 'brier';

/**
 * Each metric's label, the unit of its differences (effects, SESOI, intervals), the unit of its values (cell means)
 * and its direction.
 */
export const METRICS: Record<MetricName, { label: string; unit: string; valueUnit: string; higherIsBetter: boolean }> = {
  accuracy: { label: 'accuracy', unit: 'pp', valueUnit: '%', higherIsBetter: true },
  macroF1: { label: 'macro-F1', unit: 'pp', valueUnit: '%', higherIsBetter: true },
  nll: { label: 'negative log-likelihood', unit: 'nats', valueUnit: 'nats', higherIsBetter: false },
  ece: { label: 'expected calibration error', unit: 'pp', valueUnit: '%', higherIsBetter: false },
  brier: { label: 'Brier score', unit: 'Brier', valueUnit: 'Brier', higherIsBetter: false },
};

/** The ECE bin count when a study registers none (Guo et al. 2017 use 15). */
export const DEFAULT_ECE_BINS = 15;

/** The number of equal-width confidence bins of a study's `ece`: `metrics.eceBins`, else {@link DEFAULT_ECE_BINS}. */
export function eceBinsOf(study: { readonly metrics: MetricPlan }): number {
  return study.metrics.eceBins ?? DEFAULT_ECE_BINS;
}

export type Level = string | number;
export type CellConfig = Readonly<Record<string, unknown>>;

/** A family of hypotheses whose error rate is controlled together. */
export interface FamilyPlan {
  /** `bonferroni` decides confirmatory verdicts (Holm p-values are reported beside); `benjamini-hochberg` labels exploratory results. */
  readonly correction: 'bonferroni' | 'benjamini-hochberg';
  readonly confirmatory: boolean;
  readonly description?: string;
}

/** How a diverged run (NaN or infinite loss) enters the analysis, registered in advance. */
export interface DivergedRule {
  /**
   * `substitute-chance`: the run counts with chance-level metrics (accuracy 100/K, nll ln K), so divergence
   * is penalised, never dropped. `mark-inconclusive`: any hypothesis that involves a diverged run is inconclusive.
   */
  readonly rule: 'substitute-chance' | 'mark-inconclusive';
  readonly reason: string;
}

/** The analysis plan: model, confidence, block, families, and which split decides under each profile. */
export interface AnalysisPlan {
  /** `factorial`: contrasts of cell means with the pooled residual variance of the full factorial model. `paired`: seed-matched paired t between cells. */
  readonly model: 'factorial' | 'paired';
  /** Family-wise confidence (before correction), e.g. 0.95. */
  readonly confidence: number;
  /** Treat the seed as an additive block in the factorial model (seeds drive the same data order in every cell). */
  readonly seedAsBlock: boolean;
  /** Why the seed is or is not a block. */
  readonly seedBlockReason: string;
  readonly families: Readonly<Record<string, FamilyPlan>>;
  /** Power used for the minimum detectable effect reported next to inconclusive verdicts. */
  readonly power?: number;
}

/** Which metric is primary and when it is read. */
export interface MetricPlan {
  readonly primary: MetricName;
  readonly secondary?: readonly MetricName[];
  /** When the metric is read: the final epoch's model, or the model of the epoch with the best validation accuracy. */
  readonly readAt: 'final-epoch' | 'best-validation-epoch';
  /** Equal-width confidence bins of `ece` (an integer from 1 to 1000); default {@link DEFAULT_ECE_BINS}. Every run computes every metric, so it is registered even when `ece` is not named. */
  readonly eceBins?: number;
}

/** Everything a study pre-registers. See README "Writing a study". */
export interface StudyInput<Config extends CellConfig = CellConfig> {
  /** Folder name under `experiments/` (lowercase letters, digits, dashes). */
  readonly name: string;
  readonly title: string;
  /** The question the study answers, one or two sentences. */
  readonly question: string;
  /** The data: a loader such as `fashionMnist({ ... })`, or a hand-written {@link DatasetSpec} (sealed by defineStudy). */
  readonly dataset: DatasetSpec | SealedDatasetSpec;
  /** Factors and their levels (factorial studies). Every cell's config names one level of each. */
  readonly factors?: Readonly<Record<string, readonly Level[]>>;
  /** Every cell (or arm): its id and its configuration. One `cells/<id>.exp.ts` file each. */
  readonly cells: Readonly<Record<string, Config>>;
  /** The replicates every cell runs, exactly. */
  readonly seeds: readonly number[];
  readonly metrics: MetricPlan;
  /** Budgets of the `registered` and `quick` profiles (the pilot uses the registered budget). */
  readonly budget: Readonly<Record<'registered' | 'quick', Budget>>;
  /**
   * A validation-only pilot run before the lock, to measure the seed-to-seed spread and so the design's
   * minimum detectable effects (`HYPOTEST_PROFILE=pilot`). Its seeds must differ from the registered seeds.
   */
  readonly pilot?: { readonly cells: readonly string[]; readonly seeds: readonly number[]; readonly reason: string };
  readonly analysis: AnalysisPlan;
  readonly diverged: DivergedRule;
  /**
   * A seeded random search per arm, on validation only, with one budget for every arm (README "The shared search
   * budget"): the final seeds train each arm's chosen configuration. Validated by `validateSearchPlan` (harness/search.ts).
   */
  readonly search?: SearchPlan;
  /** Anything else a reader of the pre-registration needs (conventions, deviations planned for). */
  readonly notes?: readonly string[];
}

/** A validated study. */
export interface Study<Config extends CellConfig = CellConfig> extends StudyInput<Config> {
  /** The study's data, sealed: `study.dataset.load()` gives train and validation only (the harness opens test and shift). */
  readonly dataset: SealedDatasetSpec;
  readonly cellIds: readonly string[];
  /** Factor levels of a cell (factorial studies), e.g. `{ depth: 4, activation: 'gelu' }`. */
  levelsOf(cellId: string): Record<string, Level>;
  /** `experiments/<name>` under the hypotest root. */
  directory(root?: string): string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The fields of each fixed-shape part of a study declaration; anything else is a misspelling (budgets and cell configs are open). */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  study: ['name', 'title', 'question', 'dataset', 'factors', 'cells', 'seeds', 'metrics', 'budget', 'pilot', 'analysis', 'diverged', 'search', 'notes'],
  pilot: ['cells', 'seeds', 'reason'],
  metrics: ['primary', 'secondary', 'readAt', 'eceBins'],
  budget: ['registered', 'quick'],
  analysis: ['model', 'confidence', 'seedAsBlock', 'seedBlockReason', 'families', 'power'],
  family: ['correction', 'confirmatory', 'description'],
  diverged: ['rule', 'reason'],
};

/** The closest known field to a misspelt one (edit distance at most 2), for the error's fix. */
export function closestField(field: string, known: readonly string[]): string | null {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(field, candidate);
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  return best;
}

/** Throws {@link StudyDefinitionError} for the first field of `value` that `part` does not declare (checked at run time, not only by tsc). */
function rejectUnknownFields(study: string, where: string, part: keyof typeof KNOWN_FIELDS, value: unknown): void {
  if (!value || typeof value !== 'object') return;
  const known = KNOWN_FIELDS[part];
  for (const field of Object.keys(value)) {
    if (known.includes(field)) continue;
    const near = closestField(field, known);
    fail(study, where ? `${where}.${field}` : field, `is not a field of ${where || 'a study'}`, near ? `did you mean '${near}'? Known fields: ${known.join(', ')}` : `remove it; known fields: ${known.join(', ')}`);
  }
}

function fail(study: string, field: string, problem: string, fix: string): never {
  throw new StudyDefinitionError(`defineStudy('${study}'): ${field}: ${problem}. Fix: ${fix}.`);
}

/** The hypotest root: `HYPOTEST_ROOT`, or the working directory Vitest was started in. */
export function hypotestRoot(): string {
  return resolve(process.env.HYPOTEST_ROOT ?? process.cwd());
}

/**
 * Declares and validates a study. Every mistake throws {@link StudyDefinitionError} naming the field and the fix,
 * including a field the declaration does not know (a misspelling such as `anaylsis` or `analysis.confidance`, which
 * TypeScript catches only when the file is type-checked).
 *
 * @example
 * export default defineStudy({ name: 'ablation', title: '...', question: '...', dataset, factors, cells: factorialCells(factors, id),
 *   seeds: [1, 2, 3], metrics: { primary: 'accuracy', readAt: 'final-epoch' }, budget, analysis, diverged })
 */
export function defineStudy<Config extends CellConfig>(input: StudyInput<Config>): Study<Config> {
  const id = typeof input?.name === 'string' ? input.name : '?';
  if (!input || typeof input !== 'object') fail(id, 'study', 'not an object', 'pass an object literal to defineStudy');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) fail(id, 'name', `must be lowercase letters, digits and dashes, got ${JSON.stringify(input.name)}`, 'use the folder name under experiments/, e.g. "ablation"');
  for (const field of ['title', 'question'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') fail(id, field, 'missing or empty', `give the study a ${field} (a string)`);
  }
  rejectUnknownFields(id, '', 'study', input);
  rejectUnknownFields(id, 'pilot', 'pilot', input.pilot);
  rejectUnknownFields(id, 'metrics', 'metrics', input.metrics);
  rejectUnknownFields(id, 'budget', 'budget', input.budget);
  rejectUnknownFields(id, 'analysis', 'analysis', input.analysis);
  for (const [family, plan] of Object.entries(input.analysis?.families ?? {})) rejectUnknownFields(id, `analysis.families.${family}`, 'family', plan);
  rejectUnknownFields(id, 'diverged', 'diverged', input.diverged);
  if (!input.dataset || typeof input.dataset.load !== 'function' || typeof input.dataset.id !== 'string') fail(id, 'dataset', 'not a dataset spec', 'use a loader such as fashionMnist({ ... }) from harness/data');

  // Seeds
  if (!Array.isArray(input.seeds) || input.seeds.length === 0) fail(id, 'seeds', 'missing or empty', 'list the replicate seeds, e.g. seeds: [1, 2, 3]');
  for (const seed of input.seeds) {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) fail(id, 'seeds', `${JSON.stringify(seed)} is not a non-negative integer`, 'use integers such as 1, 2, 3');
  }
  if (new Set(input.seeds).size !== input.seeds.length) fail(id, 'seeds', 'contains duplicates', 'list each seed once');

  // Cells
  if (!input.cells || typeof input.cells !== 'object' || Object.keys(input.cells).length === 0) fail(id, 'cells', 'missing or empty', 'declare at least one cell: cells: { "my-cell": { ... } }');
  const cellIds = Object.keys(input.cells);
  for (const cellId of cellIds) {
    if (!NAME.test(cellId)) fail(id, `cells["${cellId}"]`, 'cell ids must be lowercase letters, digits and dashes (they name files)', 'rename the cell, e.g. "d2-relu-wd0"');
    const config = input.cells[cellId];
    if (!config || typeof config !== 'object' || Array.isArray(config)) fail(id, `cells["${cellId}"]`, 'config is not an object', 'give each cell a plain object of settings');
  }

  // Factors: every cell names one level of every factor; full factorial, each combination once.
  if (input.factors !== undefined) {
    if (!input.factors || typeof input.factors !== 'object' || Array.isArray(input.factors)) fail(id, 'factors', 'is not an object of factor → levels', 'declare factors: { depth: [2, 4, 8] }, or leave factors out');
    const factorNames = Object.keys(input.factors);
    if (factorNames.length === 0) fail(id, 'factors', 'is empty', 'declare at least one factor or leave factors out');
    for (const factor of factorNames) {
      const levels = input.factors[factor];
      if (!Array.isArray(levels) || levels.length < 2) fail(id, `factors.${factor}`, 'needs at least two levels', `list the levels, e.g. ${factor}: [2, 4, 8]`);
      if (new Set(levels.map(String)).size !== levels.length) fail(id, `factors.${factor}`, 'has duplicate levels', 'list each level once');
    }
    const seen = new Set<string>();
    for (const cellId of cellIds) {
      const config = input.cells[cellId] as Record<string, unknown>;
      const combo: string[] = [];
      for (const factor of factorNames) {
        const value = config[factor];
        if (!input.factors[factor].some((level) => level === value)) {
          fail(id, `cells["${cellId}"].${factor}`, `${JSON.stringify(value)} is not a declared level (${input.factors[factor].map((l) => JSON.stringify(l)).join(', ')})`, `set ${factor} to one of the declared levels (mind number vs string)`);
        }
        combo.push(`${factor}=${String(value)}`);
      }
      const key = combo.join(',');
      if (seen.has(key)) fail(id, `cells["${cellId}"]`, `repeats the combination ${key}`, 'give each combination of levels exactly one cell');
      seen.add(key);
    }
    const expected = factorNames.reduce((n, f) => n * input.factors![f].length, 1);
    if (seen.size !== expected) fail(id, 'cells', `${seen.size} cells for a full factorial of ${expected}`, 'declare every combination of levels (factorialCells() builds them)');
  }

  // Pilot
  if (input.pilot !== undefined) {
    const pilot = input.pilot;
    if (!pilot || typeof pilot !== 'object') fail(id, 'pilot', 'is not an object', "declare pilot: { cells: [...], seeds: [...], reason: '...' }, or leave it out");
    if (!Array.isArray(pilot.cells) || pilot.cells.length === 0) fail(id, 'pilot.cells', 'missing or empty', 'name the cells the pilot runs');
    for (const cellId of pilot.cells) if (!cellIds.includes(cellId)) fail(id, 'pilot.cells', `'${cellId}' is not a cell of the study`, `use cells from: ${cellIds.join(', ')}`);
    if (!Array.isArray(pilot.seeds) || pilot.seeds.length < 2) fail(id, 'pilot.seeds', 'needs at least two seeds (a spread needs two runs)', 'list pilot seeds such as [101, 102, 103]');
    for (const seed of pilot.seeds) {
      if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) fail(id, 'pilot.seeds', `${JSON.stringify(seed)} is not a non-negative integer`, 'use integers such as 101, 102');
      if (input.seeds.includes(seed)) fail(id, 'pilot.seeds', `seed ${seed} is also a registered seed`, 'use pilot seeds the registered runs do not use, so the pilot never previews a registered run');
    }
    if (typeof pilot.reason !== 'string' || pilot.reason.trim() === '') fail(id, 'pilot.reason', 'missing', 'say what the pilot is for and why these cells');
  }

  // Metrics
  // Own keys only: 'constructor' or 'toString' is not a metric.
  const isMetric = (metric: unknown): boolean => typeof metric === 'string' && Object.hasOwn(METRICS, metric);
  if (!input.metrics || !isMetric(input.metrics.primary)) fail(id, 'metrics.primary', `must be one of ${Object.keys(METRICS).join(', ')}`, 'set metrics.primary, e.g. "accuracy"');
  if (input.metrics.secondary !== undefined && !Array.isArray(input.metrics.secondary)) fail(id, 'metrics.secondary', 'is not a list of metrics', `use e.g. secondary: ['nll'], or leave it out`);
  for (const metric of input.metrics.secondary ?? []) if (!isMetric(metric)) fail(id, 'metrics.secondary', `unknown metric ${JSON.stringify(metric)}`, `use ${Object.keys(METRICS).join(', ')}`);
  const bins = input.metrics.eceBins;
  if (bins !== undefined && (typeof bins !== 'number' || !Number.isInteger(bins) || bins < 1 || bins > 1000)) fail(id, 'metrics.eceBins', `must be an integer from 1 to 1000, got ${JSON.stringify(bins)}`, `register the number of equal-width confidence bins of the calibration error, e.g. eceBins: ${DEFAULT_ECE_BINS}, or leave it out for ${DEFAULT_ECE_BINS}`);
  if (input.metrics.readAt !== 'final-epoch' && input.metrics.readAt !== 'best-validation-epoch') fail(id, 'metrics.readAt', `must be "final-epoch" or "best-validation-epoch"`, 'register when the metric is read');

  // Budget
  for (const profile of ['registered', 'quick'] as const) {
    const budget = input.budget?.[profile];
    if (!budget || typeof budget !== 'object') fail(id, `budget.${profile}`, 'missing', `give a budget for the ${profile} profile, e.g. { epochs: 10 }`);
    if (typeof budget.epochs !== 'number' || !Number.isInteger(budget.epochs) || budget.epochs < 1) fail(id, `budget.${profile}.epochs`, `must be a positive integer, got ${JSON.stringify(budget.epochs)}`, 'set epochs: 10 (for example)');
    for (const field of ['trainExamples', 'validationExamples'] as const) {
      const value = budget[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) fail(id, `budget.${profile}.${field}`, `must be a positive integer, got ${JSON.stringify(value)}`, 'use a count of examples or leave it out');
    }
  }

  // Analysis
  const analysis = input.analysis;
  if (!analysis || (analysis.model !== 'factorial' && analysis.model !== 'paired')) fail(id, 'analysis.model', 'must be "factorial" or "paired"', 'choose the analysis model');
  if (analysis.model === 'factorial' && !input.factors) fail(id, 'analysis.model', '"factorial" needs factors', 'declare factors or use the "paired" model');
  if (typeof analysis.confidence !== 'number' || !(analysis.confidence > 0 && analysis.confidence < 1)) fail(id, 'analysis.confidence', `must be in (0, 1), got ${JSON.stringify(analysis.confidence)}`, 'use 0.95');
  if (typeof analysis.seedAsBlock !== 'boolean') fail(id, 'analysis.seedAsBlock', 'must be true or false', 'register whether the seed enters the model as a block');
  if (typeof analysis.seedBlockReason !== 'string' || analysis.seedBlockReason.trim() === '') fail(id, 'analysis.seedBlockReason', 'missing', 'say why the seed is (or is not) a block');
  if (analysis.seedAsBlock && input.seeds.length < 2) fail(id, 'analysis.seedAsBlock', 'a block needs at least two seeds', 'add seeds or set seedAsBlock: false');
  if (!analysis.families || Object.keys(analysis.families).length === 0) fail(id, 'analysis.families', 'missing', 'declare at least one family, e.g. { confirmatory: { correction: "bonferroni", confirmatory: true } }');
  for (const [family, plan] of Object.entries(analysis.families)) {
    if (!plan || typeof plan !== 'object' || (plan.correction !== 'bonferroni' && plan.correction !== 'benjamini-hochberg')) fail(id, `analysis.families.${family}.correction`, 'must be "bonferroni" or "benjamini-hochberg"', 'pick the correction');
    if (typeof plan.confirmatory !== 'boolean') fail(id, `analysis.families.${family}.confirmatory`, 'must be true or false', 'register whether the family is confirmatory');
  }
  if (analysis.power !== undefined && !(analysis.power > 0 && analysis.power < 1)) fail(id, 'analysis.power', 'must be in (0, 1)', 'use 0.8');

  // Diverged rule
  if (!input.diverged || (input.diverged.rule !== 'substitute-chance' && input.diverged.rule !== 'mark-inconclusive')) fail(id, 'diverged.rule', 'must be "substitute-chance" or "mark-inconclusive"', 'register how diverged runs are handled');
  if (typeof input.diverged.reason !== 'string' || input.diverged.reason.trim() === '') fail(id, 'diverged.reason', 'missing', 'say why this rule');

  validateSearchPlan(input as StudyInput);

  if (input.notes !== undefined && (!Array.isArray(input.notes) || !input.notes.every((note) => typeof note === 'string'))) fail(id, 'notes', 'is not a list of strings', "write notes: ['...'], or leave it out");

  const factors = input.factors;
  const study: Study<Config> = {
    ...input,
    dataset: sealDataset(input.dataset),
    cellIds,
    levelsOf(cellId: string) {
      const config = input.cells[cellId] as Record<string, unknown> | undefined;
      if (!config) throw new StudyDefinitionError(`study '${input.name}': no cell '${cellId}'. Fix: use one of ${cellIds.join(', ')}.`);
      const levels: Record<string, Level> = {};
      for (const factor of Object.keys(factors ?? {})) levels[factor] = config[factor] as Level;
      return levels;
    },
    directory(root = hypotestRoot()) {
      const dir = join(root, 'experiments', input.name);
      if (!existsSync(dir)) throw new StudyDefinitionError(`study '${input.name}': folder ${dir} does not exist. Fix: the study's name must match its folder under experiments/ (or set HYPOTEST_ROOT to the project root).`);
      return dir;
    },
  };
  return Object.freeze(study);
}

/**
 * Builds the cells of a full factorial design: one config per combination of levels, named by `name`.
 *
 * @example
 * factorialCells({ depth: [2, 4], activation: ['relu', 'gelu'] }, (c) => `d${c.depth}-${c.activation}`)
 */
export function factorialCells<F extends Record<string, readonly Level[]>>(
  factors: F,
  name: (levels: { [K in keyof F]: F[K][number] }) => string,
  extra: Record<string, unknown> = {},
): Record<string, { [K in keyof F]: F[K][number] } & Record<string, unknown>> {
  let combos: Record<string, Level>[] = [{}];
  for (const [factor, levels] of Object.entries(factors)) {
    combos = combos.flatMap((combo) => levels.map((level) => ({ ...combo, [factor]: level })));
  }
  const cells: Record<string, any> = {};
  for (const combo of combos) cells[name(combo as any)] = { ...combo, ...extra };
  return cells;
}
