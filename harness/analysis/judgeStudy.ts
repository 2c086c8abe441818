import { HypothesisDefinitionError } from '../errors.ts';
import { eceBinsOf, METRICS, type MetricName, type Study } from '../study.ts';
import type { RecordLookup, RunRecord } from '../store.ts';
import type { Profile } from '../types.ts';
import {
  contrastInterval, CURRENT_VERDICT_RULE, judge, minimumDetectableEffect, pairedTTest, type JudgedVerdict, type VerdictCode, type VerdictRule,
} from '../stats/index.ts';
import { chooseTopTwo, contrastCellWeights } from './effects.ts';
import { familyAdjustedPValues } from './familyAdjust.ts';
import { decidingConfidence, type HypothesisSpec } from './hypothesisSpec.ts';
import { runMetric } from './runMetric.ts';

/**
 * The verdict on a hypothesis: what {@link judge} decides from the interval ({@link JudgedVerdict}), or
 * `incomplete` when a pre-registered run is missing, or `error` when the analysis failed.
 */
export type Verdict = JudgedVerdict | 'incomplete' | 'error';

/**
 * Machine-readable reason of a verdict: the judge's {@link VerdictCode}, or
 * - `'missing-runs'`: a pre-registered run is missing (incomplete);
 * - `'analysis-error'`: the analysis threw (error);
 * - `'diverged-runs'`: the registered rule `mark-inconclusive` applied to a hypothesis involving a diverged run;
 * - `'needs-sealed-splits'`: a {@link shiftDrop} under the quick or pilot profile, which open no sealed split, so the
 *   drop from test to shift cannot be estimated (inconclusive, with no estimate).
 */
export type ResultCode = VerdictCode | 'missing-runs' | 'analysis-error' | 'diverged-runs' | 'needs-sealed-splits';

/**
 * The judged hypothesis, JSON-safe: goes to task meta, verdicts.json and the reports.
 * Effects, bounds, standard errors, SESOI and MDE are in the metric's unit (`unit`: accuracy in percentage
 * points, nll in nats); confidences, powers and p-values are fractions in [0, 1].
 */
export interface HypothesisResult {
  study: string;
  id: string;
  claim: string;
  family: string;
  /** Number of hypotheses in the family (the Bonferroni divisor). */
  familySize: number;
  confirmatory: boolean;
  correction: 'bonferroni' | 'benjamini-hochberg';
  metric: MetricName;
  /** Unit of every effect-sized field (`METRICS[metric].unit`): 'pp' (percentage points) for accuracy, macro-F1 and ECE, 'nats' for nll, 'Brier' for the Brier score. */
  unit: string;
  /**
   * The split the numbers come from: the hypothesis's sealed split under the registered profile (`test`, or `shift` for
   * a shift hypothesis and for a shift drop, whose effect is test minus shift), `validation` under quick and pilot.
   */
  split: 'test' | 'validation' | 'shift';
  /**
   * The split the hypothesis registers, present only when it names one (`split: 'test' | 'shift'`) or is a shift drop:
   * under quick and pilot it differs from `split`, and reports say which split stood in for it.
   */
  registeredSplit?: 'test' | 'shift';
  /** For a {@link shiftDrop} effect only: the arm whose drop (its metric on test minus on shift, paired by seed) is estimated. */
  shiftDrop?: { arm: string };
  profile: Profile;
  direction: HypothesisSpec['direction'];
  /** Smallest effect size of interest, in `unit`. */
  sesoi: number;
  sesoiReason: string;
  /** The effect's label, e.g. 'depth: +1×8 -1×2'. */
  effect: string;
  verdict: Verdict;
  reason: string;
  code: ResultCode;
  /**
   * Version of the verdict rule that gave `verdict` (see `VerdictRule` in harness/stats/judge.ts): the lock's, or
   * the one a recorded analysis deviation adopted. Absent only in results made before rules had versions (rule 1).
   */
  verdictRule?: VerdictRule;
  /**
   * The verdict under the rule the lock registered, when a recorded analysis deviation adopted another rule and the
   * two verdicts differ (e.g. rule 2 refutes what rule 1 called inconclusive); null (or absent) otherwise. Reporters
   * show it beside the headline verdict.
   */
  registeredRuleVerdict?: { verdictRule: VerdictRule; verdict: Verdict; code: ResultCode; reason: string } | null;
  /** Estimated effect, in `unit`. */
  estimate: number | null;
  /** Lower bound of the deciding interval, in `unit`. */
  lower: number | null;
  /** Upper bound of the deciding interval, in `unit`. */
  upper: number | null;
  /** Confidence of the interval that decides, a fraction (Bonferroni-adjusted for confirmatory families). */
  confidence: number;
  /** Degrees of freedom of the t interval (count). */
  df: number | null;
  /** Standard error of the estimate, in `unit`. */
  standardError: number | null;
  /** Unadjusted two-sided p-value against zero. */
  pValue: number | null;
  /** Holm (confirmatory) or Benjamini-Hochberg (exploratory) adjusted p-value. */
  adjustedPValue: number | null;
  /** Minimum detectable effect at the registered power, at the deciding confidence, in `unit`. */
  minimumDetectableEffect: number | null;
  /** Registered power for the MDE, a fraction (default 0.8). */
  power: number;
  /** Runs found, of `runsExpected` (cells × seeds). */
  runsComplete: number;
  runsExpected: number;
  /** Missing runs as `cell/seed-n`. */
  missing: string[];
  /** Diverged runs as `cell/seed-n`. */
  diverged: string[];
  /** Cells compared, for top-two (chosen on validation); validation means in percent. */
  chosen?: { best: string; second: string; validationMeans: Record<string, number> };
}

/** Which verdict rule decides, and which one the lock registered (see {@link analyseStudy}). */
export interface VerdictRuleOptions {
  /** The rule that gives the headline verdict: the lock's, or one adopted by a recorded analysis deviation. Default: the current rule. */
  verdictRule?: VerdictRule;
  /** The rule the lock registered (a lock without one: 1). When it differs from `verdictRule`, its verdict is kept beside wherever the two differ. Default: `verdictRule`. */
  registeredVerdictRule?: VerdictRule;
}

/**
 * Judges every hypothesis of a study from its run records. Pure: no I/O, no Vitest.
 * Each (cell, seed) must exist; otherwise every verdict is `incomplete` (DESIGN.md rule 4). Contrasts use
 * {@link contrastInterval} (pooled residual variance, seed as a block when registered), paired arms
 * {@link pairedTTest}; confirmatory families are decided at the Bonferroni-adjusted confidence with Holm p-values
 * beside, exploratory ones with Benjamini-Hochberg p-values, always over every registered member (one whose analysis
 * failed counts as p = 1: {@link familyAdjustedPValues}); {@link judge} gives the verdict under `rules.verdictRule`,
 * and the verdict under `rules.registeredVerdictRule` is kept beside it (`registeredRuleVerdict`) where they differ.
 * A failure in one hypothesis makes that one an `error`, not the others; a family of only errors gives only errors.
 *
 * @example
 * analyseStudy(study, [spec], (cell, seed) => records.get(`${cell}/${seed}`) ?? null, 'registered')
 */
export function analyseStudy(study: Study, hypotheses: readonly HypothesisSpec[], records: RecordLookup, profile: Profile, rules: VerdictRuleOptions = {}): HypothesisResult[] {
  const verdictRule = rules.verdictRule ?? CURRENT_VERDICT_RULE;
  const registeredVerdictRule = rules.registeredVerdictRule ?? verdictRule;
  const splitOf = (spec: HypothesisSpec): HypothesisResult['split'] => (profile !== 'registered' ? 'validation' : spec.effect.kind === 'shift-drop' ? 'shift' : spec.split ?? 'test');
  const registeredSplitOf = (spec: HypothesisSpec) => (spec.effect.kind === 'shift-drop' ? { registeredSplit: 'shift' as const } : spec.split ? { registeredSplit: spec.split } : {});
  const eceBins = eceBinsOf(study);
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
      confirmatory: family.confirmatory, correction: family.correction, metric, unit: METRICS[metric].unit, split: splitOf(spec), ...registeredSplitOf(spec), ...(spec.effect.kind === 'shift-drop' ? { shiftDrop: { arm: spec.effect.arm } } : {}), profile,
      direction: spec.direction, sesoi: spec.sesoi, sesoiReason: spec.sesoiReason, effect: spec.effect.label,
      power, runsComplete: runsExpected - missing.length, runsExpected, missing, diverged, verdictRule, registeredRuleVerdict: null,
    } as const;
  };
  const empty = { estimate: null, lower: null, upper: null, df: null, standardError: null, pValue: null, adjustedPValue: null, minimumDetectableEffect: null };

  if (missing.length > 0) {
    return hypotheses.map((spec) => ({
      ...base(spec), ...empty, confidence: study.analysis.confidence, verdict: 'incomplete' as const, code: 'missing-runs' as const,
      reason: `${missing.length} of ${runsExpected} pre-registered runs are missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); a hypothesis is judged only on the complete design.`,
    }));
  }

  // Every hypothesis needs a number from every run: a diverged run counts at chance (the rule
  // mark-inconclusive then overrides the verdict of the hypotheses it touches).
  const value = (cellId: string, seed: number, metric: MetricName, onSplit: 'test' | 'validation' | 'shift'): number => {
    const record = table.get(`${cellId}/${seed}`)!;
    const found = runMetric(record, onSplit, metric, 'chance', { eceBins });
    if (found === null) throw new HypothesisDefinitionError(`run ${cellId}/seed-${seed} has no ${onSplit} metrics (profile ${record.profile}).`);
    return found;
  };

  // First pass: estimate, standard error, df, unadjusted p for each hypothesis.
  type Raw = { notEstimable?: string; estimate: number; standardError: number; df: number; pValue: number; involved: string[]; chosen?: HypothesisResult['chosen']; interval: (confidence: number) => { lower: number; upper: number } };
  const raws: (Raw | { error: string })[] = hypotheses.map((spec) => {
    try {
      const metric = spec.metric ?? study.metrics.primary;
      const split = splitOf(spec);
      if (spec.effect.kind === 'shift-drop') {
        const arm = spec.effect.arm;
        if (profile !== 'registered') {
          return { notEstimable: `the drop from test to shift needs the sealed test and shift splits, which only the registered profile opens; the ${profile} profile (validation only) cannot estimate it`, estimate: NaN, standardError: NaN, df: NaN, pValue: NaN, involved: [arm], interval: () => ({ lower: NaN, upper: NaN }) };
        }
        const onTest = study.seeds.map((s) => value(arm, s, metric, 'test'));
        const onShift = study.seeds.map((s) => value(arm, s, metric, 'shift'));
        const at = (confidence: number) => pairedTTest(onTest, onShift, { alternative: 'two-sided', confidence });
        const result = at(0.95);
        return { estimate: result.estimate, standardError: result.standardError, df: result.df, pValue: result.pValue, involved: [arm], interval: (c: number) => at(c) };
      }
      if (spec.effect.kind === 'contrast') {
        const observations: { factors: Record<string, string | number>; value: number }[] = [];
        for (const cellId of study.cellIds) for (const seed of study.seeds) {
          observations.push({ factors: { ...study.levelsOf(cellId), ...(study.analysis.seedAsBlock ? { seed: `s${seed}` } : {}) }, value: value(cellId, seed, metric, split) });
        }
        const named = contrastCellWeights(study, spec.effect).filter((w) => w.weight !== 0);
        const weights = named.map((w) => ({ factors: w.levels, weight: w.weight }));
        const options = study.analysis.seedAsBlock ? { block: 'seed' } : {};
        const at = (confidence: number) => contrastInterval(observations, weights, { confidence, ...options });
        const result = at(0.95);
        return { estimate: result.estimate, standardError: result.standardError, df: result.df, pValue: result.pValue, involved: named.map((w) => w.cell), interval: (c: number) => at(c) };
      }
      let a: string, b: string, chosen: HypothesisResult['chosen'];
      if (spec.effect.kind === 'paired') ({ a, b } = spec.effect);
      else {
        chosen = chooseTopTwo(study, (cellId, s) => value(cellId, s, 'accuracy', 'validation'));
        ({ best: a, second: b } = chosen);
      }
      const va = study.seeds.map((s) => value(a, s, metric, split));
      const vb = study.seeds.map((s) => value(b, s, metric, split));
      const at = (confidence: number) => pairedTTest(va, vb, { alternative: 'two-sided', confidence });
      const result = at(0.95);
      return { estimate: result.estimate, standardError: result.standardError, df: result.df, pValue: result.pValue, involved: [a, b], chosen, interval: (c: number) => at(c) };
    } catch (error) {
      return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  });

  // Second pass: family corrections, intervals at the deciding confidence, verdicts.
  // A member that failed counts as p = 1, so the family keeps its registered size (the Bonferroni divisor).
  const adjusted = new Map<number, number | null>();
  for (const family of new Set(hypotheses.map((h) => h.family))) {
    const members = hypotheses.map((h, i) => i).filter((i) => hypotheses[i].family === family);
    const ps = members.map((i) => ('error' in raws[i] || (raws[i] as Raw).notEstimable ? null : (raws[i] as Raw).pValue));
    const adj = familyAdjustedPValues(ps, study.analysis.families[family].correction);
    members.forEach((i, k) => adjusted.set(i, adj[k]));
  }
  return hypotheses.map((spec, i): HypothesisResult => {
    const raw = raws[i];
    const confidence = decidingConfidence(study, hypotheses, spec);
    if ('error' in raw) {
      return { ...base(spec), ...empty, confidence, verdict: 'error', code: 'analysis-error', reason: raw.error };
    }
    if (raw.notEstimable) {
      return { ...base(spec), ...empty, adjustedPValue: null, confidence, verdict: 'inconclusive', code: 'needs-sealed-splits', reason: raw.notEstimable };
    }
    const { lower, upper } = raw.interval(confidence);
    const involvedDiverged = diverged.filter((d) => raw.involved.includes(d.split('/')[0]));
    const claim = { sesoi: spec.sesoi, direction: spec.direction };
    const divergedRule = study.diverged.rule === 'mark-inconclusive' && involvedDiverged.length > 0;
    const judgeBy = (rule: VerdictRule): { verdict: Verdict; reason: string; code: ResultCode } => (divergedRule
      ? { verdict: 'inconclusive', code: 'diverged-runs', reason: `involves diverged runs (${involvedDiverged.join(', ')}); the registered rule marks such hypotheses inconclusive` }
      : judge({ lower, upper }, claim, { rule }));
    const judged = judgeBy(verdictRule);
    const registered = registeredVerdictRule === verdictRule ? judged : judgeBy(registeredVerdictRule);
    const registeredRuleVerdict = registered.verdict === judged.verdict ? null : { verdictRule: registeredVerdictRule, ...registered };
    const mde = minimumDetectableEffect({ standardError: raw.standardError, df: raw.df, alpha: 1 - confidence, power, alternative: 'two-sided' });
    return {
      ...base(spec), estimate: raw.estimate, lower, upper, confidence, df: raw.df, standardError: raw.standardError,
      pValue: raw.pValue, adjustedPValue: adjusted.get(i) ?? null, minimumDetectableEffect: mde,
      verdict: judged.verdict, reason: judged.reason, code: judged.code, registeredRuleVerdict, ...(raw.chosen ? { chosen: raw.chosen } : {}),
    };
  });
}
