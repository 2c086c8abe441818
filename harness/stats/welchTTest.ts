import { describeSample } from './describeSample.ts';
import { requireNonDegenerate, tInference, type TTestOptions, type TTestResult } from './tInference.ts';
import { requireAlternative, requireConfidence, requireSample } from './validate.ts';

/**
 * Welch's two-sample t test and confidence interval for mean(a) - mean(b), without assuming equal
 * variances: standard error sqrt(s_a²/n_a + s_b²/n_b) and the Welch–Satterthwaite degrees of
 * freedom (fractional). Use it for two independent groups of runs; for seed-matched runs use
 * {@link pairedTTest}.
 *
 * Reference: R `t.test(a, b)` (Welch is R's default); Welch (1947), Biometrika 34, 28–35.
 *
 * @throws {InvalidInputError} when a sample has fewer than two values, holds NaN or Infinity,
 *   confidence is outside (0, 1), the alternative is unknown, or both samples are constant.
 * @example
 * welchTTest([0.7, -1.6, -0.2], [1.9, 0.8, 1.1], { alternative: 'two-sided', confidence: 0.95 })
 * // { statistic, df, pValue, estimate: -1.5, lower, upper, standardError }
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>, options: TTestOptions = {}): TTestResult {
  const api = 'welchTTest';
  const alternative = options.alternative ?? 'two-sided';
  const confidence = options.confidence ?? 0.95;
  requireAlternative(api, alternative);
  requireConfidence(api, confidence);
  requireSample(api, 'a', a, 2);
  requireSample(api, 'b', b, 2);
  const x = describeSample(a);
  const y = describeSample(b);
  const va = x.variance / x.n;
  const vb = y.variance / y.n;
  const standardError = Math.sqrt(va + vb);
  requireNonDegenerate(api, standardError, Math.max(Math.abs(x.mean), Math.abs(y.mean)));
  const df = (va + vb) ** 2 / (va ** 2 / (x.n - 1) + vb ** 2 / (y.n - 1));
  return tInference({ estimate: x.mean - y.mean, standardError, df, alternative, confidence });
}
