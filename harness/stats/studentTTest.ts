import { describeSample } from './describeSample.ts';
import { requireNonDegenerate, tInference, type TTestOptions, type TTestResult } from './tInference.ts';
import { requireAlternative, requireConfidence, requireSample } from './validate.ts';

/**
 * Student's two-sample t test with pooled variance, and the confidence interval for
 * mean(a) - mean(b): s_p² = ((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2), standard error
 * s_p · sqrt(1/n_a + 1/n_b), n_a + n_b - 2 degrees of freedom. Assumes equal variances; prefer
 * {@link welchTTest} unless the design justifies pooling.
 *
 * Reference: R `t.test(a, b, var.equal = TRUE)`.
 *
 * @throws {InvalidInputError} when a sample has fewer than two values, holds NaN or Infinity,
 *   confidence is outside (0, 1), the alternative is unknown, or both samples are constant.
 * @example
 * studentTTest([0.7, -1.6, -0.2], [1.9, 0.8, 1.1], { alternative: 'less' })
 * // { statistic, df: 4, pValue, estimate: -1.5, lower: -Infinity, upper, standardError }
 */
export function studentTTest(a: ArrayLike<number>, b: ArrayLike<number>, options: TTestOptions = {}): TTestResult {
  const api = 'studentTTest';
  const alternative = options.alternative ?? 'two-sided';
  const confidence = options.confidence ?? 0.95;
  requireAlternative(api, alternative);
  requireConfidence(api, confidence);
  requireSample(api, 'a', a, 2);
  requireSample(api, 'b', b, 2);
  const x = describeSample(a);
  const y = describeSample(b);
  const df = x.n + y.n - 2;
  const pooledVariance = ((x.n - 1) * x.variance + (y.n - 1) * y.variance) / df;
  const standardError = Math.sqrt(pooledVariance * (1 / x.n + 1 / y.n));
  requireNonDegenerate(api, standardError, Math.max(Math.abs(x.mean), Math.abs(y.mean)));
  return tInference({ estimate: x.mean - y.mean, standardError, df, alternative, confidence });
}
