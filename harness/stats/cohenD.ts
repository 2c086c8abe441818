import { InvalidInputError } from '../errors.ts';
import { describeSample } from './describeSample.ts';
import { requireSample } from './validate.ts';

/** Pooled standard deviation and its degrees of freedom; shared with {@link hedgesG}. Internal. */
export function pooledStandardDeviation(api: string, a: ArrayLike<number>, b: ArrayLike<number>) {
  requireSample(api, 'a', a, 2);
  requireSample(api, 'b', b, 2);
  const x = describeSample(a);
  const y = describeSample(b);
  const df = x.n + y.n - 2;
  const sd = Math.sqrt(((x.n - 1) * x.variance + (y.n - 1) * y.variance) / df);
  if (!(sd > 0)) {
    throw new InvalidInputError(
      `${api}: both samples are constant (pooled standard deviation 0), so a standardized ` +
        `effect is undefined; report the raw difference instead.`,
    );
  }
  return { difference: x.mean - y.mean, sd, df };
}

/**
 * Cohen's d for two independent samples: (mean(a) - mean(b)) / s_p, with the pooled standard
 * deviation s_p = sqrt(((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2)). Biased upwards in
 * small samples; {@link hedgesG} corrects that. Effect sizes are reported second, after the raw
 * difference in percentage points (DESIGN.md, Statistics).
 *
 * Reference: Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed.;
 * R `effectsize::cohens_d(a, b)` (pooled_sd = TRUE, its default).
 *
 * @throws {InvalidInputError} when a sample has fewer than two values or holds NaN/Infinity, or
 *   the pooled standard deviation is zero.
 * @example
 * cohenD([2, 4, 6], [1, 2, 3]) // 1.2649110640673518
 */
export function cohenD(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { difference, sd } = pooledStandardDeviation('cohenD', a, b);
  return difference / sd;
}
