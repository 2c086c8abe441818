import { accurateMean, accurateSum, requireSample } from './validate.ts';

/** Summary of one sample, as {@link describeSample} returns it. */
export interface SampleDescription {
  /** Number of values. */
  n: number;
  /** Arithmetic mean. */
  mean: number;
  /** Sample variance, divisor n - 1 (R: `var`). */
  variance: number;
  /** Sample standard deviation, divisor n - 1 (R: `sd`). */
  sd: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/**
 * Describes a sample: size, mean, sample variance and standard deviation (divisor n - 1, as R's
 * `var` and `sd`), minimum and maximum. The mean is refined by a second pass and the variance is
 * the two-pass sum of squared deviations, so values that share many leading digits (accuracies
 * like 0.912345...) keep their precision. Every estimator in `harness/stats` that needs a mean or
 * a standard deviation calls this function.
 *
 * Reference: R `mean`, `var`, `sd`; two-pass algorithm (Chan, Golub & LeVeque 1983, "Algorithms
 * for computing the sample variance", The American Statistician 37(3)).
 *
 * @throws {InvalidInputError} when fewer than two values are given (a sample standard deviation
 *   needs two) or a value is NaN or infinite.
 * @example
 * describeSample([1, 2, 3, 4]) // { n: 4, mean: 2.5, variance: 1.6666666666666667, sd: 1.2909944487358056, min: 1, max: 4 }
 */
export function describeSample(values: ArrayLike<number>): SampleDescription {
  requireSample('describeSample', 'values', values, 2);
  const n = values.length;
  const mean = accurateMean(values);
  const squares = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const d = v - mean;
    squares[i] = d * d;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const variance = accurateSum(squares) / (n - 1);
  return { n, mean, variance, sd: Math.sqrt(variance), min, max };
}
