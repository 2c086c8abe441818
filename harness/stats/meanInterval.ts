import { describeSample } from './describeSample.ts';
import { requireNonDegenerate, tInference } from './tInference.ts';
import { requireConfidence, requireSample } from './validate.ts';

/** Options of {@link meanInterval}. */
export interface MeanIntervalOptions {
  /** Confidence level in (0, 1), e.g. 0.95. Default 0.95. */
  confidence?: number;
}

/** A two-sided Student t confidence interval for a mean. */
export interface MeanInterval {
  /** Sample mean. */
  estimate: number;
  /** Lower confidence bound. */
  lower: number;
  /** Upper confidence bound. */
  upper: number;
  /** Degrees of freedom, n - 1. */
  df: number;
  /** Confidence level the interval was computed for. */
  confidence: number;
  /** Standard error of the mean, sd / sqrt(n). */
  standardError: number;
}

/**
 * Two-sided Student t confidence interval for the mean of a sample, e.g. an accuracy over seeds:
 * mean ± qt(1 - (1 - confidence) / 2, n - 1) · sd / sqrt(n). This is the default interval over
 * seeds (DESIGN.md, Statistics); with 3 to 5 seeds it keeps its nominal coverage for normal data,
 * where a percentile bootstrap does not.
 *
 * Reference: R `t.test(x, conf.level = confidence)$conf.int`.
 *
 * @throws {InvalidInputError} when fewer than two values are given, a value is NaN or infinite,
 *   confidence is outside (0, 1), or all values are equal (zero-width interval; R refuses too).
 * @example
 * meanInterval([0.91, 0.93, 0.92], { confidence: 0.95 })
 * // { estimate: 0.92, lower: 0.8951586..., upper: 0.9448413..., df: 2, confidence: 0.95, standardError: 0.0057735... }
 */
export function meanInterval(values: ArrayLike<number>, options: MeanIntervalOptions = {}): MeanInterval {
  const api = 'meanInterval';
  const confidence = options.confidence ?? 0.95;
  requireConfidence(api, confidence);
  requireSample(api, 'values', values, 2);
  const sample = describeSample(values);
  const standardError = sample.sd / Math.sqrt(sample.n);
  requireNonDegenerate(api, standardError, sample.mean);
  const t = tInference({
    estimate: sample.mean,
    standardError,
    df: sample.n - 1,
    alternative: 'two-sided',
    confidence,
  });
  return { estimate: t.estimate, lower: t.lower, upper: t.upper, df: t.df, confidence, standardError };
}
