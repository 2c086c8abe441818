import { HypothesisDefinitionError } from './errors.ts';
import { chanceMetrics } from './metrics.ts';
import type { RunRecord } from './store.ts';
import { METRICS, type Level, type MetricName, type Study } from './study.ts';
import type { Profile } from './types.ts';
import {
  benjaminiHochberg, bonferroniConfidence, contrastInterval, factorialAnova, holmAdjust, judge, meanInterval, minimumDetectableEffect, pairedTTest, studentTQuantile,
} from './stats/index.ts';

/** A contrast of cell means: per-factor level weights, multiplied across factors and averaged over the others. */
export interface ContrastEffect {
  kind: 'contrast';
  weights: Record<string, Record<string, number>>;
  label: string;
}
/** A seed-matched paired difference between two cells (arms): a minus b. */
export interface PairedEffect { kind: 'paired'; a: string; b: string; label: string }
/** The best minus the second-best cell, both chosen on mean validation accuracy (not on the metric compared). */
export interface TopTwoEffect { kind: 'top-two'; label: string }
export type Effect = ContrastEffect | PairedEffect | TopTwoEffect;

/**
 * A named contrast of cell means. `{ depth: { 8: 1, 2: -1 } }` is "depth 8 minus depth 2, averaged over
 * every other factor"; naming two factors gives their interaction (difference of differences).
 *
 * @example
 * contrast({ depth: { 8: 1, 2: -1 }, activation: { gelu: 1, relu: -1 } }) // does GELU's advantage grow with depth?
 */
export function contrast(weights: Record<string, Record<string | number, number>>, label?: string): ContrastEffect {
  const text = label ?? Object.entries(weights).map(([f, w]) => `${f}: ${Object.entries(w).map(([l, v]) => `${v > 0 ? '+' : ''}${v}×${l}`).join(' ')}`).join(' × ');
  return { kind: 'contrast', weights: weights as Record<string, Record<string, number>>, label: text };
}

/** Seed-matched paired difference `a - b` between two cells. */
export function pairedDifference(a: string, b: string): PairedEffect {
  return { kind: 'paired', a, b, label: `${a} − ${b} (paired by seed)` };
}

/** The best minus the second-best cell, both chosen on validation accuracy. */
export function topTwoOnValidation(): TopTwoEffect {
  return { kind: 'top-two', label: 'best − second best (chosen on validation accuracy), paired by seed' };
}

/** A pre-registered hypothesis. */
export interface HypothesisSpec {
  id: string;
  /** The claim in words, as a reader of the report should read it. */
  claim: string;
  effect: Effect;
  /** Defaults to the study's primary metric. */
  metric?: MetricName;
  direction: 'greater' | 'less' | 'equivalent';
  /** Smallest effect size of interest, in the metric's unit (accuracy: percentage points). */
  sesoi: number;
  /** Why that number. */
  sesoiReason: string;
  /** A family declared in the study's analysis plan. */
  family: string;
}

export type Verdict = 'supported' | 'inconclusive' | 'refuted' | 'incomplete' | 'error';

/** The judged hypothesis, JSON-safe: goes to task meta, verdicts.json and the reports. */
export interface HypothesisResult {
  study: string;
  id: string;
  claim: string;
  family: string;
  familySize: number;
  confirmatory: boolean;
  correction: 'bonferroni' | 'benjamini-hochberg';
  metric: MetricName;
  unit: string;
  split: 'test' | 'validation';
  profile: Profile;
  direction: HypothesisSpec['direction'];
  sesoi: number;
  sesoiReason: string;
  effect: string;
  verdict: Verdict;
  reason: string;
  code: string;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /** Confidence of the interval that decides (Bonferroni-adjusted for confirmatory families). */
  confidence: number;
  df: number | null;
  standardError: number | null;
  pValue: number | null;
  /** Holm (confirmatory) or Benjamini-Hochberg (exploratory) adjusted p-value. */
  adjustedPValue: number | null;
  /** Minimum detectable effect at the registered power, at the deciding confidence. */
  minimumDetectableEffect: number | null;
  power: number;
  runsComplete: number;
  runsExpected: number;
  missing: string[];
  diverged: string[];
  /** Cells compared, for top-two (chosen on validation). */
  chosen?: { best: string; second: string; validationMeans: Record<string, number> };
}

/** Checks a hypothesis against its study at collection time. */
export function validateHypothesis(study: Study, spec: HypothesisSpec, seen: Set<string>): void {
  const where = `hypothesis('${spec?.id ?? '?'}') in study '${study.name}'`;
  const fail = (problem: string, fix: string): never => { throw new HypothesisDefinitionError(`${where}: ${problem}. Fix: ${fix}.`); };
  if (typeof spec.id !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(spec.id)) fail('id must be a short identifier like "H1"', 'set id');
  if (seen.has(spec.id)) fail(`id '${spec.id}' is used twice`, 'give every hypothesis its own id');
  if (typeof spec.claim !== 'string' || !spec.claim.trim()) fail('claim is missing', 'state the claim in words');
  if (!['greater', 'less', 'equivalent'].includes(spec.direction)) fail(`direction ${JSON.stringify(spec.direction)} is not "greater", "less" or "equivalent"`, 'register the direction or equivalence');
  if (typeof spec.sesoi !== 'number' || !(spec.sesoi > 0) || !Number.isFinite(spec.sesoi)) fail(`sesoi must be a positive number, got ${JSON.stringify(spec.sesoi)}`, 'register the smallest effect size of interest in the metric\'s unit (accuracy: percentage points)');
  if (typeof spec.sesoiReason !== 'string' || !spec.sesoiReason.trim()) fail('sesoiReason is missing', 'say why the SESOI is that number');
  if (!study.analysis.families[spec.family]) fail(`family '${spec.family}' is not in the study's analysis.families (${Object.keys(study.analysis.families).join(', ')})`, 'use a declared family or declare it in study.ts');
  if (spec.metric !== undefined && !(spec.metric in METRICS)) fail(`unknown metric '${spec.metric}'`, `use ${Object.keys(METRICS).join(', ')}`);
  const effect = spec.effect;
  if (!effect || !['contrast', 'paired', 'top-two'].includes(effect.kind)) fail('effect is not contrast(...), pairedDifference(...) or topTwoOnValidation()', 'build the effect with one of those helpers');
  if (effect.kind === 'contrast') {
    if (study.analysis.model !== 'factorial' || !study.factors) fail('a contrast needs a factorial study', 'use pairedDifference() for arms');
    // With no factor named, every cell gets weight 1/cells: the grand mean, which is no comparison at all.
    if (!effect.weights || Object.keys(effect.weights).length === 0) fail('the contrast names no factor', 'name the levels it compares, e.g. contrast({ depth: { 8: 1, 2: -1 } })');
    for (const [factor, weights] of Object.entries(effect.weights)) {
      const levels = study.factors![factor];
      if (!levels) fail(`unknown factor '${factor}'`, `use one of ${Object.keys(study.factors!).join(', ')}`);
      for (const level of Object.keys(weights)) {
        if (!levels.some((l) => String(l) === level)) fail(`factor '${factor}' has no level '${level}'`, `use ${levels.join(', ')}`);
      }
      const sum = Object.values(weights).reduce((a, b) => a + b, 0);
      if (Math.abs(sum) > 1e-12) fail(`the weights of factor '${factor}' sum to ${sum}, not 0`, 'a contrast compares levels: weights must sum to zero, e.g. { 8: 1, 2: -1 }');
      if (Object.values(weights).every((w) => w === 0)) fail(`the weights of factor '${factor}' are all zero`, 'give the levels compared non-zero weights that sum to zero, e.g. { 8: 1, 2: -1 }');
    }
  } else if (effect.kind === 'paired') {
    for (const cellId of [effect.a, effect.b]) if (!study.cellIds.includes(cellId)) fail(`no cell '${cellId}'`, `use ${study.cellIds.join(', ')}`);
    if (effect.a === effect.b) fail('compares a cell with itself', 'name two different cells');
  } else if (study.cellIds.length < 2) fail('top-two needs at least two cells', 'declare more arms');
}

/** Per-cell weights of a contrast: Π over named factors of the level weight, divided by the level counts of the others. */
export function contrastCellWeights(study: Study, effect: ContrastEffect): { cell: string; levels: Record<string, Level>; weight: number }[] {
  const factors = study.factors!;
  return study.cellIds.map((cellId) => {
    const levels = study.levelsOf(cellId);
    let weight = 1;
    for (const factor of Object.keys(factors)) {
      const named = effect.weights[factor];
      weight *= named ? (named[String(levels[factor])] ?? 0) : 1 / factors[factor].length;
    }
    return { cell: cellId, levels, weight };
  });
}

/** The stored records of a study under a profile, keyed `cell/seed`, or missing. */
export type RecordLookup = (cell: string, seed: number) => RunRecord | null;

/**
 * Judges every hypothesis of a study from its run records. Pure: no I/O, no Vitest.
 * Each (cell, seed) must exist; otherwise every verdict is `incomplete` (DESIGN.md rule 4).
 */
export function analyseStudy(study: Study, hypotheses: readonly HypothesisSpec[], records: RecordLookup, profile: Profile): HypothesisResult[] {
  const split = profile === 'registered' ? 'test' : 'validation';
  const missing: string[] = [];
  const diverged: string[] = [];
  const runsExpected = study.cellIds.length * study.seeds.length;
  const table = new Map<string, RunRecord>();
  for (const cellId of study.cellIds) {
    for (const seed of study.seeds) {
      const record = records(cellId, seed);
      if (!record) missing.push(`${cellId}/seed-${seed}`);
      else {
        table.set(`${cellId}/${seed}`, record);
        if (record.status === 'diverged') diverged.push(`${cellId}/seed-${seed}`);
      }
    }
  }
  const power = study.analysis.power ?? 0.8;
  const base = (spec: HypothesisSpec) => {
    const family = study.analysis.families[spec.family];
    const metric = spec.metric ?? study.metrics.primary;
    return {
      study: study.name, id: spec.id, claim: spec.claim, family: spec.family,
      familySize: hypotheses.filter((h) => h.family === spec.family).length,
      confirmatory: family.confirmatory, correction: family.correction, metric, unit: METRICS[metric].unit, split, profile,
      direction: spec.direction, sesoi: spec.sesoi, sesoiReason: spec.sesoiReason, effect: spec.effect.label,
      power, runsComplete: runsExpected - missing.length, runsExpected, missing, diverged,
    } as const;
  };
  const empty = { estimate: null, lower: null, upper: null, df: null, standardError: null, pValue: null, adjustedPValue: null, minimumDetectableEffect: null };

  if (missing.length > 0) {
    return hypotheses.map((spec) => ({
      ...base(spec), ...empty, confidence: study.analysis.confidence, verdict: 'incomplete' as const, code: 'missing-runs',
      reason: `${missing.length} of ${runsExpected} pre-registered runs are missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); a hypothesis is judged only on the complete design.`,
    }));
  }

  const value = (cellId: string, seed: number, metric: MetricName, onSplit: 'test' | 'validation' = split): number => {
    const record = table.get(`${cellId}/${seed}`)!;
    if (record.status === 'diverged') return chanceMetrics(record.numClasses)[metric];
    const metrics = record.metrics[onSplit];
    if (!metrics) throw new HypothesisDefinitionError(`run ${cellId}/seed-${seed} has no ${onSplit} metrics (profile ${record.profile}).`);
    return metrics[metric];
  };

  // First pass: estimate, standard error, df, unadjusted p for each hypothesis.
  type Raw = { estimate: number; standardError: number; df: number; pValue: number; involved: string[]; chosen?: HypothesisResult['chosen']; interval: (confidence: number) => { lower: number; upper: number } };
  const raws: (Raw | { error: string })[] = hypotheses.map((spec) => {
    try {
      const metric = spec.metric ?? study.metrics.primary;
      if (spec.effect.kind === 'contrast') {
        const effect = spec.effect;
        const observations: { factors: Record<string, string | number>; value: number }[] = [];
        for (const cellId of study.cellIds) for (const seed of study.seeds) {
          observations.push({ factors: { ...study.levelsOf(cellId), ...(study.analysis.seedAsBlock ? { seed: `s${seed}` } : {}) }, value: value(cellId, seed, metric) });
        }
        const weights = contrastCellWeights(study, effect).filter((w) => w.weight !== 0).map((w) => ({ factors: w.levels, weight: w.weight }));
        const options = study.analysis.seedAsBlock ? { block: 'seed' } : {};
        const at = (confidence: number) => contrastInterval(observations, weights, { confidence, ...options });
        const result = at(0.95);
        const involved = contrastCellWeights(study, effect).filter((w) => w.weight !== 0).map((w) => w.cell);
        return { estimate: result.estimate, standardError: result.standardError, df: result.df, pValue: result.pValue, involved, interval: (c: number) => at(c) };
      }
      let a: string, b: string, chosen: HypothesisResult['chosen'];
      if (spec.effect.kind === 'paired') ({ a, b } = spec.effect);
      else {
        const validationMeans: Record<string, number> = {};
        for (const cellId of study.cellIds) validationMeans[cellId] = mean(study.seeds.map((s) => value(cellId, s, 'accuracy', 'validation')));
        const ranked = [...study.cellIds].sort((x, y) => validationMeans[y] - validationMeans[x]);
        [a, b] = ranked;
        chosen = { best: a, second: b, validationMeans };
      }
      const va = study.seeds.map((s) => value(a, s, metric));
      const vb = study.seeds.map((s) => value(b, s, metric));
      const at = (confidence: number) => pairedTTest(va, vb, { alternative: 'two-sided', confidence });
      const result = at(0.95);
      return { estimate: result.estimate, standardError: result.standardError, df: result.df, pValue: result.pValue, involved: [a, b], chosen, interval: (c: number) => at(c) };
    } catch (error) {
      return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  });

  // Second pass: family corrections, intervals at the deciding confidence, verdicts.
  const adjusted = new Map<number, number>();
  for (const family of new Set(hypotheses.map((h) => h.family))) {
    const members = hypotheses.map((h, i) => i).filter((i) => hypotheses[i].family === family && !('error' in raws[i]));
    const ps = members.map((i) => (raws[i] as Raw).pValue);
    const adj = study.analysis.families[family].correction === 'bonferroni' ? holmAdjust(ps) : benjaminiHochberg(ps);
    members.forEach((i, k) => adjusted.set(i, adj[k]));
  }
  return hypotheses.map((spec, i) => {
    const raw = raws[i];
    const family = study.analysis.families[spec.family];
    const m = hypotheses.filter((h) => h.family === spec.family).length;
    const confidence = family.correction === 'bonferroni' ? bonferroniConfidence(study.analysis.confidence, m) : study.analysis.confidence;
    if ('error' in raw) {
      return { ...base(spec), ...empty, confidence, verdict: 'error' as const, code: 'analysis-error', reason: raw.error };
    }
    const { lower, upper } = raw.interval(confidence);
    const involvedDiverged = diverged.filter((d) => raw.involved.includes(d.split('/')[0]));
    let judged = judge({ lower, upper }, { sesoi: spec.sesoi, direction: spec.direction }) as { verdict: Verdict; reason: string; code: string };
    if (study.diverged.rule === 'mark-inconclusive' && involvedDiverged.length > 0) {
      judged = { verdict: 'inconclusive', code: 'diverged-runs', reason: `involves diverged runs (${involvedDiverged.join(', ')}); the registered rule marks such hypotheses inconclusive` };
    }
    const mde = minimumDetectableEffect({ standardError: raw.standardError, df: raw.df, alpha: 1 - confidence, power, alternative: 'two-sided' });
    return {
      ...base(spec), estimate: raw.estimate, lower, upper, confidence, df: raw.df, standardError: raw.standardError,
      pValue: raw.pValue, adjustedPValue: adjusted.get(i) ?? null, minimumDetectableEffect: mde,
      verdict: judged.verdict, reason: judged.reason, code: judged.code, ...(raw.chosen ? { chosen: raw.chosen } : {}),
    };
  });
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Descriptive summary of one cell over its seeds (t interval at the study's confidence). */
export interface CellSummary {
  cell: string;
  levels: Record<string, Level>;
  n: number;
  diverged: number;
  /** Per metric and split: mean and t interval over seeds (null when fewer than two seeds or constant values). */
  metrics: Record<string, { mean: number; lower: number | null; upper: number | null; values: number[] }>;
}

/** What a study's records show beyond the hypotheses: per-cell summaries and, for factorial studies, the ANOVA table. */
export interface StudySummary {
  metric: MetricName;
  split: 'test' | 'validation';
  confidence: number;
  cells: CellSummary[];
  anova: { rows: { term: string; sumOfSquares: number; df: number; meanSquare: number; F: number; pValue: number; partialOmegaSquared: number }[]; residual: { sumOfSquares: number; df: number; meanSquare: number } } | null;
  anovaError?: string;
}

/**
 * Per-cell means and t intervals of every metric on every evaluated split, and the full-factorial ANOVA of the
 * primary metric (seed as a block when registered). Diverged runs enter by the registered rule. Pure.
 * Returns null when a pre-registered run is missing (nothing partial is summarised).
 */
export function summariseStudy(study: Study, records: RecordLookup, profile: Profile): StudySummary | null {
  const split = profile === 'registered' ? 'test' : 'validation';
  const rows: { cell: string; seed: number; record: RunRecord }[] = [];
  for (const cellId of study.cellIds) for (const seed of study.seeds) {
    const record = records(cellId, seed);
    if (!record) return null;
    rows.push({ cell: cellId, seed, record });
  }
  const metricValue = (record: RunRecord, onSplit: string, metric: MetricName): number | null => {
    if (record.status === 'diverged') return study.diverged.rule === 'substitute-chance' ? chanceMetrics(record.numClasses)[metric] : null;
    return record.metrics[onSplit as 'test']?.[metric] ?? null;
  };
  const splits = profile === 'registered' ? ['validation', 'test', ...(study.dataset.hasShift ? ['shift'] : [])] : ['validation'];
  const metrics: MetricName[] = [study.metrics.primary, ...(study.metrics.secondary ?? [])];
  const cells: CellSummary[] = study.cellIds.map((cellId) => {
    const own = rows.filter((r) => r.cell === cellId);
    const summary: CellSummary = { cell: cellId, levels: study.levelsOf(cellId), n: own.length, diverged: own.filter((r) => r.record.status === 'diverged').length, metrics: {} };
    for (const onSplit of splits) for (const metric of metrics) {
      const values = own.map((r) => metricValue(r.record, onSplit, metric)).filter((v): v is number => v !== null);
      if (values.length === 0) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      let lower: number | null = null;
      let upper: number | null = null;
      try {
        ({ lower, upper } = meanInterval(values, { confidence: study.analysis.confidence }));
      } catch {
        // One seed or identical values: no interval, the mean alone is reported.
      }
      summary.metrics[`${onSplit}.${metric}`] = { mean, lower, upper, values };
    }
    return summary;
  });
  let anova: StudySummary['anova'] = null;
  let anovaError: string | undefined;
  if (study.analysis.model === 'factorial') {
    try {
      const observations = rows.map((r) => ({
        factors: { ...study.levelsOf(r.cell), ...(study.analysis.seedAsBlock ? { seed: `s${r.seed}` } : {}) },
        value: metricValue(r.record, split, study.metrics.primary) ?? Number.NaN,
      }));
      const table = factorialAnova(observations, study.analysis.seedAsBlock ? { block: 'seed' } : {});
      anova = { rows: table.rows.map((row) => ({ ...row })), residual: { ...table.residual } };
    } catch (error) {
      anovaError = `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  return { metric: study.metrics.primary, split, confidence: study.analysis.confidence, cells, anova, ...(anovaError ? { anovaError } : {}) };
}

/** How sensitive the registered design is, estimated from a validation-only pilot (one per hypothesis). */
export interface SensitivityResult {
  study: string;
  id: string;
  claim: string;
  family: string;
  metric: MetricName;
  unit: string;
  direction: HypothesisSpec['direction'];
  sesoi: number;
  /** Pooled within-cell standard deviation of the metric over the pilot's seeds, on validation data. */
  sigma: number | null;
  sigmaDf: number;
  pilotRuns: number;
  /** Deciding confidence of the registered analysis (Bonferroni-adjusted for confirmatory families). */
  confidence: number;
  /** Residual df the registered analysis will have. */
  df: number;
  /** Expected standard error of the registered effect estimate. */
  standardError: number | null;
  /** Expected half-width of the deciding interval. */
  halfWidth: number | null;
  minimumDetectableEffect: number | null;
  power: number;
  /** In words: what the design can decide for this claim. */
  assessment: string;
}

/**
 * The registered design's sensitivity from pilot runs (HYPOTEST_PROFILE=pilot): the pooled within-cell standard
 * deviation σ of each hypothesis's metric over the pilot seeds, then, for the registered design, the expected
 * standard error (contrasts: σ·√(Σw²/n); paired arms: σ·√(2/n), assuming no positive correlation between arms,
 * which is conservative), the half-width of the deciding interval and the minimum detectable effect. Pure.
 * The pilot's σ includes any seed-block variance, so with seed as a block the registered design is, if anything,
 * more sensitive than reported.
 */
export function designSensitivity(study: Study, hypotheses: readonly HypothesisSpec[], records: RecordLookup): SensitivityResult[] {
  const pilot = study.pilot;
  const power = study.analysis.power ?? 0.8;
  const n = study.seeds.length;
  const registeredDf = study.analysis.model === 'factorial'
    ? study.cellIds.length * n - study.cellIds.length - (study.analysis.seedAsBlock ? n - 1 : 0)
    : n - 1;
  return hypotheses.map((spec) => {
    const metric = spec.metric ?? study.metrics.primary;
    let sumSquares = 0;
    let sigmaDf = 0;
    let pilotRuns = 0;
    for (const cellId of pilot?.cells ?? []) {
      const values: number[] = [];
      for (const seed of pilot!.seeds) {
        const record = records(cellId, seed);
        const value = record?.status === 'ok' ? record.metrics.validation?.[metric] : undefined;
        if (value !== undefined) values.push(value);
      }
      pilotRuns += values.length;
      if (values.length < 2) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      sumSquares += values.reduce((a, v) => a + (v - mean) ** 2, 0);
      sigmaDf += values.length - 1;
    }
    const m = hypotheses.filter((h) => h.family === spec.family).length;
    const confidence = study.analysis.families[spec.family].correction === 'bonferroni' ? bonferroniConfidence(study.analysis.confidence, m) : study.analysis.confidence;
    const base = {
      study: study.name, id: spec.id, claim: spec.claim, family: spec.family, metric, unit: METRICS[metric].unit,
      direction: spec.direction, sesoi: spec.sesoi, sigmaDf, pilotRuns, confidence, df: registeredDf, power,
    };
    if (sigmaDf === 0 || sumSquares === 0) {
      return { ...base, sigma: null, standardError: null, halfWidth: null, minimumDetectableEffect: null, assessment: 'no spread could be estimated: the pilot needs at least two finished runs in some cell, with different values' };
    }
    const sigma = Math.sqrt(sumSquares / sigmaDf);
    const sumSquaredWeights = spec.effect.kind === 'contrast'
      ? contrastCellWeights(study, spec.effect).reduce((a, w) => a + w.weight ** 2, 0)
      : 2;
    const standardError = sigma * Math.sqrt(sumSquaredWeights / n);
    const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, registeredDf) * standardError;
    const mde = minimumDetectableEffect({ standardError, df: registeredDf, alpha: 1 - confidence, power, alternative: 'two-sided' });
    const f = (x: number) => x.toFixed(2);
    const assessment = spec.direction === 'equivalent'
      ? halfWidth < spec.sesoi
        ? `decidable: if the true effect is zero the interval (±${f(halfWidth)}) fits inside ±${spec.sesoi}, so equivalence can be supported; it needs a true effect within about ±${f(spec.sesoi - halfWidth)}`
        : `not decidable: the interval alone (±${f(halfWidth)}) is wider than the margin ±${spec.sesoi}, so equivalence cannot be supported with these seeds`
      : halfWidth < spec.sesoi
        ? `decidable: a true effect of ${f(spec.sesoi + halfWidth)} or more would likely be supported, and a true effect of zero refuted (half-width ${f(halfWidth)} < SESOI ${spec.sesoi})`
        : `weak: the interval half-width ${f(halfWidth)} is not below the SESOI ${spec.sesoi}, so a true effect of zero cannot be refuted; effects beyond ${f(spec.sesoi + halfWidth)} can still be supported`;
    return { ...base, sigma, standardError, halfWidth, minimumDetectableEffect: mde, assessment };
  });
}
