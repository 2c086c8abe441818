/**
 * The t-based test and interval shared by every t procedure in `harness/stats` (one-sample
 * interval, Welch, Student, paired, contrasts): given an estimate, its standard error and the
 * degrees of freedom, computes the t statistic against zero, its p-value and the confidence
 * interval, exactly as R's `t.test` does. Internal to the module.
 */
import { InvalidInputError } from '../errors.ts';
import { studentTCdf, studentTQuantile, studentTUpperTail } from './distributions.ts';
import type { Alternative } from './validate.ts';

/** Result of a t test with its confidence interval. */
export interface TTestResult {
  /** t statistic: estimate / standardError. */
  statistic: number;
  /** Degrees of freedom of the t distribution (Welch: fractional). */
  df: number;
  /** p-value for the null hypothesis "true effect = 0" under the chosen alternative. */
  pValue: number;
  /** Point estimate of the effect. */
  estimate: number;
  /** Lower confidence bound (-Infinity for alternative 'less'). */
  lower: number;
  /** Upper confidence bound (Infinity for alternative 'greater'). */
  upper: number;
  /** Standard error of the estimate. */
  standardError: number;
}

/**
 * Throws when the standard error is zero (or negligible against the data's scale), the case R's
 * `t.test` rejects with "data are essentially constant": a t interval would have zero width.
 */
export function requireNonDegenerate(api: string, standardError: number, scale: number): void {
  if (!(standardError > 10 * Number.EPSILON * Math.abs(scale)) || !Number.isFinite(standardError)) {
    throw new InvalidInputError(
      `${api}: the data are essentially constant (standard error ${standardError}), so no t ` +
        `interval exists; check that the runs really differ (distinct seeds, no copied records) ` +
        `or report the values descriptively.`,
    );
  }
}

/** t statistic, p-value and interval for `estimate` with `standardError` on `df` degrees of freedom. */
export function tInference(args: {
  estimate: number;
  standardError: number;
  df: number;
  alternative: Alternative;
  confidence: number;
}): TTestResult {
  const { estimate, standardError, df, alternative, confidence } = args;
  const statistic = estimate / standardError;
  let pValue: number;
  let lower: number;
  let upper: number;
  if (alternative === 'two-sided') {
    pValue = Math.min(1, 2 * studentTCdf(-Math.abs(statistic), df));
    const half = studentTQuantile(1 - (1 - confidence) / 2, df) * standardError;
    lower = estimate - half;
    upper = estimate + half;
  } else if (alternative === 'greater') {
    pValue = studentTUpperTail(statistic, df);
    lower = estimate - studentTQuantile(confidence, df) * standardError;
    upper = Infinity;
  } else {
    pValue = studentTCdf(statistic, df);
    lower = -Infinity;
    upper = estimate + studentTQuantile(confidence, df) * standardError;
  }
  return { statistic, df, pValue, estimate, lower, upper, standardError };
}

/** Options of the t tests ({@link welchTTest}, {@link studentTTest}, {@link pairedTTest}). */
export interface TTestOptions {
  /** Which alternative the p-value and interval address; default 'two-sided' (R's default). */
  alternative?: Alternative;
  /** Confidence level of the interval, in (0, 1); default 0.95. */
  confidence?: number;
}
