import { METRICS, type MetricName, type Study } from '../study.ts';
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
  /** In words: what the design can decide for this claim. */
  assessment: string;
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
function pilotSpread(study: Study, records: RecordLookup, metric: MetricName): { sumSquares: number; df: number; runs: number } {
  const pilot = study.pilot;
  let sumSquares = 0;
  let df = 0;
  let runs = 0;
  for (const cellId of pilot?.cells ?? []) {
    const values: number[] = [];
    for (const seed of pilot!.seeds) {
      const record = records(cellId, seed);
      const value = record ? runMetric(record, 'validation', metric, 'missing') : null;
      if (value !== null) values.push(value);
    }
    runs += values.length;
    if (values.length < 2) continue;
    const sample = describeSample(values);
    sumSquares += sample.variance * (sample.n - 1);
    df += sample.n - 1;
  }
  return { sumSquares, df, runs };
}

/**
 * The registered design's sensitivity from pilot runs (HYPOTEST_PROFILE=pilot): the pooled within-cell standard
 * deviation σ of each hypothesis's metric over the pilot seeds, then, for the registered design, the expected
 * standard error (contrasts: σ·√(Σw²/n); paired arms: σ·√(2/n), assuming no positive correlation between arms,
 * which is conservative), the half-width of the deciding interval and the minimum detectable effect. Pure.
 * The pilot's σ includes any seed-block variance, so with seed as a block the registered design is, if anything,
 * more sensitive than reported.
 *
 * @example
 * designSensitivity(study, hypotheses, pilotLookup)[0].assessment // 'decidable: ...'
 */
export function designSensitivity(study: Study, hypotheses: readonly HypothesisSpec[], records: RecordLookup): SensitivityResult[] {
  const power = study.analysis.power ?? 0.8;
  const n = study.seeds.length;
  const registeredDf = registeredResidualDf(study);
  return hypotheses.map((spec) => {
    const metric = spec.metric ?? study.metrics.primary;
    const spread = pilotSpread(study, records, metric);
    const confidence = decidingConfidence(study, hypotheses, spec);
    const base = {
      study: study.name, id: spec.id, claim: spec.claim, family: spec.family, metric, unit: METRICS[metric].unit,
      direction: spec.direction, sesoi: spec.sesoi, sigmaDf: spread.df, pilotRuns: spread.runs, confidence, df: registeredDf, power,
    };
    if (spread.df === 0 || spread.sumSquares === 0) {
      return { ...base, sigma: null, standardError: null, halfWidth: null, minimumDetectableEffect: null, assessment: 'no spread could be estimated: the pilot needs at least two finished runs in some cell, with different values' };
    }
    const sigma = Math.sqrt(spread.sumSquares / spread.df);
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
