import { InvalidInputError } from '../errors.ts';
import { describeSample } from './describeSample.ts';
import { requireNonDegenerate, tInference, type TTestOptions, type TTestResult } from './tInference.ts';
import { requireAlternative, requireConfidence, requireSample } from './validate.ts';

/**
 * Paired t test and confidence interval for the mean of the differences a[i] - b[i], the primary
 * comparison of two models over seed-matched runs (DESIGN.md: seeds drive the same data order for
 * both). Standard error sd(d) / sqrt(n), n - 1 degrees of freedom.
 *
 * Reference: R `t.test(a, b, paired = TRUE)`.
 *
 * @throws {InvalidInputError} when the samples differ in length (pairs must be seed-matched),
 *   have fewer than two pairs, hold NaN or Infinity, confidence is outside (0, 1), the alternative
 *   is unknown, or all differences are equal.
 * @example
 * pairedTTest([0.912, 0.915, 0.909], [0.905, 0.911, 0.904], { alternative: 'greater', confidence: 0.95 })
 * // { statistic, df: 2, pValue, estimate: 0.00533..., lower, upper: Infinity, standardError }
 */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>, options: TTestOptions = {}): TTestResult {
  const api = 'pairedTTest';
  const alternative = options.alternative ?? 'two-sided';
  const confidence = options.confidence ?? 0.95;
  requireAlternative(api, alternative);
  requireConfidence(api, confidence);
  requireSample(api, 'a', a, 2);
  requireSample(api, 'b', b, 2);
  if (a.length !== b.length) {
    throw new InvalidInputError(
      `${api}: a has ${a.length} values but b has ${b.length}; pass seed-matched pairs of equal ` +
        `length, or use welchTTest for independent groups.`,
    );
  }
  const differences = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) differences[i] = a[i] - b[i];
  const d = describeSample(differences);
  const standardError = d.sd / Math.sqrt(d.n);
  requireNonDegenerate(api, standardError, d.mean);
  return tInference({ estimate: d.mean, standardError, df: d.n - 1, alternative, confidence });
}
