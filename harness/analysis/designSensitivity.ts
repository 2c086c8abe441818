import { StudyDefinitionError } from '../errors.ts';
import { eceBinsOf, METRICS, type MetricName, type Study } from '../study.ts';
import type { RecordLookup } from '../store.ts';
import { describeSample, minimumDetectableEffect, studentTQuantile } from '../stats/index.ts';
import { contrastCellWeights } from './effects.ts';
import { decidingConfidence, type HypothesisSpec } from './hypothesisSpec.ts';
import { runMetric } from './runMetric.ts';

/**
 * How sensitive the registered design is, estimated from a validation-only pilot (one per hypothesis).
 * σ, standard errors, half-widths, SESOI and MDE are in the metric's unit (`unit`: accuracy in percentage points,
 * nll in nats); confidence and power are fractions; df and run counts are counts.
 */
export interface SensitivityResult {
  study: string;
  id: string;
  claim: string;
  family: string;
  metric: MetricName;
  unit: string;
  direction: HypothesisSpec['direction'];
  /** Smallest effect size of interest, in `unit`. */
  sesoi: number;
  /** Pooled within-cell standard deviation of the metric over the pilot's seeds, on validation data, in `unit`. */
  sigma: number | null;
  /**
   * Standard deviation of one evaluation on a test split of the registered size (`testExamples`), in `unit`: for
   * accuracy the binomial √(p(1−p)/n) at the pilot's mean validation accuracy p; null for metrics without a binomial
   * form (nll), whose evaluation noise the pilot records do not hold.
   */
  evaluationSd: number | null;
  /** Examples in the registered test split (the size `evaluationSd` is for). */
  testExamples: number;
  /** The spread the registered design is planned with: √(σ² + evaluationSd²), in `unit` (σ alone when evaluationSd is null). */
  designSigma: number | null;
  /** Degrees of freedom of σ: Σ (runs in a cell − 1) over pilot cells with two or more finished runs. */
  sigmaDf: number;
  /** Finished (not diverged) pilot runs read. */
  pilotRuns: number;
  /** Deciding confidence of the registered analysis (Bonferroni-adjusted for confirmatory families). */
  confidence: number;
  /** Residual df the registered analysis will have. */
  df: number;
  /** Expected standard error of the registered effect estimate, in `unit`. */
  standardError: number | null;
  /** Expected half-width of the deciding interval, in `unit`. */
  halfWidth: number | null;
  /** Minimum detectable effect at `power` and the deciding confidence, in `unit`. */
  minimumDetectableEffect: number | null;
  power: number;
  /** Whether the design can decide the claim: its minimum detectable effect does not exceed the SESOI. Null without a spread. */
  decidable: boolean | null;
  /** In words: what the design can decide for this claim; starts with 'decidable' or 'not decidable at this design'. */
  assessment: string;
}

/** Options of {@link designSensitivity}. */
export interface DesignSensitivityOptions {
  /** Examples in the registered test split: one evaluation on it adds binomial noise to every accuracy. */
  testExamples: number;
}

/**
 * Residual degrees of freedom of the registered analysis: the full-factorial model's N − cells, less the seed
 * block's (seeds − 1) when seed is a block; n − 1 for paired arms.
 */
function registeredResidualDf(study: Study): number {
  const n = study.seeds.length;
  return study.analysis.model === 'factorial'
    ? study.cellIds.length * n - study.cellIds.length - (study.analysis.seedAsBlock ? n - 1 : 0)
    : n - 1;
}

/** Pooled within-cell spread of one metric over the pilot runs: Σ (n−1)·s² over cells with two or more runs. */
function pilotSpread(study: Study, records: RecordLookup, metric: MetricName): { sumSquares: number; df: number; runs: number; mean: number | null } {
  const pilot = study.pilot;
  let sumSquares = 0;
  let df = 0;
  let runs = 0;
  let total = 0;
  for (const cellId of pilot?.cells ?? []) {
    const values: number[] = [];
    for (const seed of pilot!.seeds) {
      const record = records(cellId, seed);
      const value = record ? runMetric(record, 'validation', metric, 'missing', { eceBins: eceBinsOf(study) }) : null;
      if (value !== null) values.push(value);
    }
    runs += values.length;
    total += values.reduce((a, b) => a + b, 0);
    if (values.length < 2) continue;
    const sample = describeSample(values);
    sumSquares += sample.variance * (sample.n - 1);
    df += sample.n - 1;
  }
  return { sumSquares, df, runs, mean: runs > 0 ? total / runs : null };
}

/**
 * The registered design's sensitivity from pilot runs (HYPOTEST_PROFILE=pilot): the pooled within-cell standard
 * deviation σ of each hypothesis's metric over the pilot seeds, plus, for accuracy, the binomial noise of one
 * evaluation on a test split of the registered size (the pilot measures on a fixed validation split, so its σ holds
 * only the seed-to-seed part): the design is planned with √(σ² + p(1−p)/n). Then, for the registered design, the
 * expected standard error (contrasts: σ·√(Σw²/n); paired arms: σ·√(2/n), assuming no positive correlation between
 * arms, which is conservative), the half-width of the deciding interval and the minimum detectable effect (MDE). A
 * claim whose MDE exceeds its SESOI is "not decidable at this design". Pure.
 * The pilot's σ includes any seed-block variance, so with seed as a block the registered design is, if anything,
 * more sensitive than reported.
 *
 * @throws {StudyDefinitionError} when the study declares no pilot.
 * @example
 * designSensitivity(study, hypotheses, pilotLookup, { testExamples: 10_000 })[0].assessment // 'decidable: ...'
 */
export function designSensitivity(study: Study, hypotheses: readonly HypothesisSpec[], records: RecordLookup, options: DesignSensitivityOptions): SensitivityResult[] {
  if (!study.pilot) throw new StudyDefinitionError(`study '${study.name}' declares no pilot. Fix: add pilot: { cells: [...], seeds: [...], reason: '...' } to study.ts, or run another profile.`);
  const testExamples = options?.testExamples;
  if (typeof testExamples !== 'number' || !Number.isInteger(testExamples) || testExamples < 1) {
    throw new StudyDefinitionError(`designSensitivity: testExamples is ${String(testExamples)}. Fix: pass the size of the registered test split, a positive integer.`);
  }
  const power = study.analysis.power ?? 0.8;
  const n = study.seeds.length;
  const registeredDf = registeredResidualDf(study);
  return hypotheses.map((spec) => {
    const metric = spec.metric ?? study.metrics.primary;
    const spread = pilotSpread(study, records, metric);
    const confidence = decidingConfidence(study, hypotheses, spec);
    const base = {
      study: study.name, id: spec.id, claim: spec.claim, family: spec.family, metric, unit: METRICS[metric].unit,
      direction: spec.direction, sesoi: spec.sesoi, sigmaDf: spread.df, pilotRuns: spread.runs, confidence, df: registeredDf, power, testExamples,
    };
    if (spec.effect.kind === 'shift-drop') {
      return { ...base, sigma: null, evaluationSd: null, designSigma: null, standardError: null, halfWidth: null, minimumDetectableEffect: null, decidable: null, assessment: 'not estimable from a validation-only pilot: the drop from test to shift is a difference between the two sealed splits, whose seed-to-seed spread the pilot cannot see' };
    }
    if (spread.df === 0 || spread.sumSquares === 0) {
      return { ...base, sigma: null, evaluationSd: null, designSigma: null, standardError: null, halfWidth: null, minimumDetectableEffect: null, decidable: null, assessment: 'no spread could be estimated: the pilot needs at least two finished runs in some cell, with different values' };
    }
    const sigma = Math.sqrt(spread.sumSquares / spread.df);
    // Accuracy is in percent: a binomial proportion p over n examples has SD 100·√(p(1−p)/n) percentage points.
    const p = metric === 'accuracy' && spread.mean !== null ? Math.min(Math.max(spread.mean / 100, 0), 1) : null;
    const evaluationSd = p === null ? null : 100 * Math.sqrt((p * (1 - p)) / testExamples);
    const designSigma = Math.sqrt(sigma ** 2 + (evaluationSd ?? 0) ** 2);
    const sumSquaredWeights = spec.effect.kind === 'contrast'
      ? contrastCellWeights(study, spec.effect).reduce((a, w) => a + w.weight ** 2, 0)
      : 2;
    const standardError = designSigma * Math.sqrt(sumSquaredWeights / n);
    const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, registeredDf) * standardError;
    const mde = minimumDetectableEffect({ standardError, df: registeredDf, alpha: 1 - confidence, power, alternative: 'two-sided' });
    const f = (x: number) => x.toFixed(2);
    const decidable = mde <= spec.sesoi;
    const noise = (evaluationSd === null ? `seed spread ${f(sigma)}` : `seed spread ${f(sigma)} and one test evaluation's binomial noise ${f(evaluationSd)} (n = ${testExamples})`) +
      (spec.split === 'shift' ? '; the spread is measured on the uncorrupted validation split, standing in for the shift split' : '');
    const assessment = !decidable
      ? `not decidable at this design: the minimum detectable effect ${f(mde)} exceeds the SESOI ${spec.sesoi} (${noise}; half-width ±${f(halfWidth)} at ${+(confidence * 100).toFixed(2)}%), so an effect of the claimed size would be missed more often than the registered power allows; add seeds or register a larger SESOI`
      : spec.direction === 'equivalent'
        ? `decidable: if the true effect is zero the interval (±${f(halfWidth)}) fits inside ±${spec.sesoi}, so equivalence can be supported; it needs a true effect within about ±${f(spec.sesoi - halfWidth)} (MDE ${f(mde)}, ${noise})`
        : `decidable: a true effect of ${f(spec.sesoi + halfWidth)} or more would likely be supported, and one short of ${f(spec.sesoi - halfWidth)} refuted (MDE ${f(mde)} ≤ SESOI ${spec.sesoi}; ${noise})`;
    return { ...base, sigma, evaluationSd, designSigma, standardError, halfWidth, minimumDetectableEffect: mde, decidable, assessment };
  });
}
