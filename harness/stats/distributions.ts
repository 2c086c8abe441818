/**
 * The one place that imports the probability distributions (`@stdlib/stats-base-dists-*`, which
 * match R's `pt`, `qt`, `pf`, `pnorm`, `qnorm`, `pchisq`, `pbinom`, `psignrank`). Every other file in
 * `harness/stats` goes through these typed wrappers, so upper tails are computed the accurate way
 * (by symmetry or by swapping degrees of freedom, never as `1 - cdf` where that loses digits).
 *
 * Nothing here validates arguments beyond what the distributions need: callers validate their own
 * input and name themselves in the error.
 */
import binomial from '@stdlib/stats-base-dists-binomial';
import chisquare from '@stdlib/stats-base-dists-chisquare';
import fDistribution from '@stdlib/stats-base-dists-f';
import normal from '@stdlib/stats-base-dists-normal';
import signrank from '@stdlib/stats-base-dists-signrank';
import studentT from '@stdlib/stats-base-dists-t';
import { InvalidInputError } from '../errors.ts';

function requireProbability(api: string, p: number): void {
  if (!(p > 0 && p < 1)) {
    throw new InvalidInputError(
      `${api}: probability ${p} is outside (0, 1); pass a probability strictly between 0 and 1.`,
    );
  }
}

function requirePositive(api: string, name: string, value: number): void {
  if (!(value > 0) || Number.isNaN(value)) {
    throw new InvalidInputError(`${api}: ${name} ${value} must be positive; pass ${name} > 0.`);
  }
}

/**
 * Quantile of Student's t distribution with `df` degrees of freedom (R: `qt(p, df)`).
 *
 * Reference: `@stdlib/stats-base-dists-t-quantile`.
 * @throws {InvalidInputError} when `p` is not in (0, 1) or `df` is not positive.
 * @example
 * studentTQuantile(0.975, 10) // 2.22813885198627 (R: qt(0.975, 10) = 2.228138851964938)
 */
export function studentTQuantile(p: number, df: number): number {
  requireProbability('studentTQuantile', p);
  requirePositive('studentTQuantile', 'df', df);
  return studentT.quantile(p, df);
}

/**
 * Cumulative distribution function of Student's t (R: `pt(x, df)`), accurate in both tails.
 *
 * Reference: `@stdlib/stats-base-dists-t-cdf`.
 * @throws {InvalidInputError} when `df` is not positive or `x` is NaN.
 * @example
 * studentTCdf(-2.228138851964938, 10) // 0.025
 */
export function studentTCdf(x: number, df: number): number {
  requirePositive('studentTCdf', 'df', df);
  if (Number.isNaN(x)) throw new InvalidInputError('studentTCdf: x is NaN; pass a number.');
  return studentT.cdf(x, df);
}

/**
 * Upper tail `P(T > x)` of Student's t (R: `pt(x, df, lower.tail = FALSE)`), computed as
 * `cdf(-x)` so that small upper tails keep their digits.
 *
 * @throws {InvalidInputError} when `df` is not positive or `x` is NaN.
 * @example
 * studentTUpperTail(2.228138851964938, 10) // 0.025
 */
export function studentTUpperTail(x: number, df: number): number {
  return studentTCdf(-x, df);
}

/**
 * Upper tail `P(F > x)` of the F distribution with `(df1, df2)` degrees of freedom
 * (R: `pf(x, df1, df2, lower.tail = FALSE)`), computed as `P(F(df2, df1) < 1 / x)` so that tiny
 * p-values are not rounded to zero by `1 - cdf`.
 *
 * Reference: `@stdlib/stats-base-dists-f-cdf`.
 * @throws {InvalidInputError} when a degree of freedom is not positive or `x` is NaN.
 * @example
 * fUpperTail(3, 2, 10) // 0.095367431640625
 */
export function fUpperTail(x: number, df1: number, df2: number): number {
  requirePositive('fUpperTail', 'df1', df1);
  requirePositive('fUpperTail', 'df2', df2);
  if (Number.isNaN(x)) throw new InvalidInputError('fUpperTail: x is NaN; pass a number.');
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return fDistribution.cdf(1 / x, df2, df1);
}

/**
 * Cumulative distribution function of the standard normal (R: `pnorm(x)`).
 *
 * Reference: `@stdlib/stats-base-dists-normal-cdf`.
 * @throws {InvalidInputError} when `x` is NaN.
 * @example
 * standardNormalCdf(-1.959963984540054) // 0.025
 */
export function standardNormalCdf(x: number): number {
  if (Number.isNaN(x)) throw new InvalidInputError('standardNormalCdf: x is NaN; pass a number.');
  return normal.cdf(x, 0, 1);
}

/**
 * Quantile of the standard normal (R: `qnorm(p)`).
 *
 * Reference: `@stdlib/stats-base-dists-normal-quantile`.
 * @throws {InvalidInputError} when `p` is not in (0, 1).
 * @example
 * standardNormalQuantile(0.975) // 1.959963984540054
 */
export function standardNormalQuantile(p: number): number {
  requireProbability('standardNormalQuantile', p);
  return normal.quantile(p, 0, 1);
}

/**
 * Upper tail `P(X > x)` of the chi-square distribution with `df` degrees of freedom
 * (R: `pchisq(x, df, lower.tail = FALSE)`). For one degree of freedom it is computed as
 * `2 * pnorm(-sqrt(x))`, which keeps tiny tails.
 *
 * Reference: `@stdlib/stats-base-dists-chisquare-cdf`.
 * @throws {InvalidInputError} when `df` is not positive or `x` is NaN.
 * @example
 * chiSquareUpperTail(3.841458820694124, 1) // 0.05
 */
export function chiSquareUpperTail(x: number, df: number): number {
  requirePositive('chiSquareUpperTail', 'df', df);
  if (Number.isNaN(x)) throw new InvalidInputError('chiSquareUpperTail: x is NaN; pass a number.');
  if (x <= 0) return 1;
  if (df === 1) return 2 * normal.cdf(-Math.sqrt(x), 0, 1);
  return 1 - chisquare.cdf(x, df);
}

/**
 * Cumulative distribution function of the binomial distribution (R: `pbinom(x, size, prob)`).
 *
 * Reference: `@stdlib/stats-base-dists-binomial-cdf`.
 * @throws {InvalidInputError} when `size` is not a non-negative integer or `prob` is outside [0, 1].
 * @example
 * binomialCdf(2, 10, 0.5) // 0.0546875
 */
export function binomialCdf(x: number, size: number, prob: number): number {
  if (!Number.isInteger(size) || size < 0) {
    throw new InvalidInputError(`binomialCdf: size ${size} must be a non-negative integer.`);
  }
  if (!(prob >= 0 && prob <= 1)) {
    throw new InvalidInputError(`binomialCdf: prob ${prob} must lie in [0, 1].`);
  }
  return binomial.cdf(x, size, prob);
}

/**
 * Cumulative distribution function of the Wilcoxon signed-rank statistic `V` for `n` non-zero,
 * untied differences (R: `psignrank(x, n)`).
 *
 * Reference: `@stdlib/stats-base-dists-signrank-cdf`.
 * @throws {InvalidInputError} when `n` is not a positive integer.
 * @example
 * signedRankCdf(3, 10) // 0.0048828125
 */
export function signedRankCdf(x: number, n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidInputError(`signedRankCdf: n ${n} must be a positive integer.`);
  }
  if (x < 0) return 0;
  return signrank.cdf(Math.floor(x), n);
}

/**
 * Upper tail `P(V >= x)` of the Wilcoxon signed-rank statistic for `n` untied, non-zero
 * differences (R: `psignrank(x - 1, n, lower.tail = FALSE)`), computed through the symmetry
 * `P(V >= x) = P(V <= n(n+1)/2 - x)` so small tails keep their digits.
 *
 * @throws {InvalidInputError} when `n` is not a positive integer.
 * @example
 * signedRankUpperTail(52, 10) // 0.0048828125
 */
export function signedRankUpperTail(x: number, n: number): number {
  return signedRankCdf((n * (n + 1)) / 2 - Math.ceil(x), n);
}
