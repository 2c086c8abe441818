import { InvalidInputError } from '../errors.ts';
import { signedRankCdf, signedRankUpperTail, standardNormalCdf } from './distributions.ts';
import { requireAlternative, requireSample, type Alternative } from './validate.ts';

/** Options of {@link wilcoxonSignedRank}. */
export interface WilcoxonOptions {
  /** Alternative for the location shift of a - b; default 'two-sided'. */
  alternative?: Alternative;
}

/** Result of {@link wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** V: the sum of the ranks of |a - b| over the positive differences (R's `V`). */
  statistic: number;
  /** p-value under the chosen alternative. */
  pValue: number;
  /** true when the exact signed-rank distribution was used, false for the normal approximation. */
  exact: boolean;
}

/**
 * Wilcoxon signed-rank test for paired samples, following R's `wilcox.test(a, b, paired = TRUE)`
 * with its defaults: zero differences are dropped (zero.method "Wilcoxon"); the p-value is exact
 * when fewer than 50 non-zero differences remain and there are neither ties nor zeros; otherwise
 * it uses the normal approximation with the tie-corrected variance
 * n(n+1)(2n+1)/24 - Σ(t³ - t)/48 and a continuity correction of 0.5.
 *
 * Not a primary test over seeds: with 5 pairs the smallest two-sided exact p-value is 0.0625
 * (DESIGN.md, Statistics).
 *
 * Reference: R `wilcox.test(..., paired = TRUE)` (stats package source); Hollander & Wolfe (1973),
 * Nonparametric Statistical Methods, pp. 27–33.
 *
 * @throws {InvalidInputError} when the samples differ in length, are empty, hold NaN/Infinity, the
 *   alternative is unknown, or every difference is zero.
 * @example
 * wilcoxonSignedRank([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30],
 *                    [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29], { alternative: 'greater' })
 * // { statistic: 40, pValue: 0.01953125, exact: true }
 */
export function wilcoxonSignedRank(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: WilcoxonOptions = {},
): WilcoxonResult {
  const api = 'wilcoxonSignedRank';
  const alternative = options.alternative ?? 'two-sided';
  requireAlternative(api, alternative);
  requireSample(api, 'a', a, 1);
  requireSample(api, 'b', b, 1);
  if (a.length !== b.length) {
    throw new InvalidInputError(
      `${api}: a has ${a.length} values but b has ${b.length}; pass seed-matched pairs of equal length.`,
    );
  }
  const differences: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    if (d !== 0) differences.push(d);
  }
  const zeros = differences.length < a.length;
  const n = differences.length;
  if (n === 0) {
    throw new InvalidInputError(
      `${api}: every difference a[i] - b[i] is zero, so there is nothing to rank; the samples are identical.`,
    );
  }

  // Average ranks of |d|, as R's rank(); tieGroups collects the sizes t of tied groups.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => Math.abs(differences[i]) - Math.abs(differences[j]),
  );
  const ranks = new Float64Array(n);
  let tieCorrection = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && Math.abs(differences[order[end]]) === Math.abs(differences[order[start]])) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = averageRank;
    const t = end - start;
    tieCorrection += t * t * t - t;
    start = end;
  }
  let statistic = 0;
  for (let i = 0; i < n; i++) if (differences[i] > 0) statistic += ranks[i];

  const ties = tieCorrection > 0;
  if (n < 50 && !ties && !zeros) {
    let pValue: number;
    if (alternative === 'greater') pValue = signedRankUpperTail(statistic, n);
    else if (alternative === 'less') pValue = signedRankCdf(statistic, n);
    else {
      const tail = statistic > (n * (n + 1)) / 4 ? signedRankUpperTail(statistic, n) : signedRankCdf(statistic, n);
      pValue = Math.min(1, 2 * tail);
    }
    return { statistic, pValue, exact: true };
  }

  const centred = statistic - (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieCorrection / 48);
  const correction = alternative === 'two-sided' ? Math.sign(centred) * 0.5 : alternative === 'greater' ? 0.5 : -0.5;
  const z = (centred - correction) / sigma;
  const pValue =
    alternative === 'less'
      ? standardNormalCdf(z)
      : alternative === 'greater'
        ? standardNormalCdf(-z)
        : 2 * Math.min(standardNormalCdf(z), standardNormalCdf(-z));
  return { statistic, pValue, exact: false };
}
