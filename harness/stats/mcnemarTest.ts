import { InvalidInputError } from '../errors.ts';
import { binomialCdf, chiSquareUpperTail } from './distributions.ts';

/** Discordant pair counts of two classifiers evaluated on the same examples. */
export interface DiscordantCounts {
  /** Examples that model A gets right and model B gets wrong. */
  onlyA: number;
  /** Examples that model B gets right and model A gets wrong. */
  onlyB: number;
}

/** Options of {@link mcnemarTest}; the variant is a required choice, to be pre-registered. */
export interface McnemarOptions {
  /**
   * true: exact two-sided binomial test of onlyA ~ Binomial(onlyA + onlyB, 1/2) (R:
   * `binom.test(onlyA, onlyA + onlyB)`); false: chi-square test with continuity correction (R:
   * `mcnemar.test(table)`, its default `correct = TRUE`).
   */
  exact: boolean;
}

/** Result of {@link mcnemarTest}. */
export interface McnemarResult {
  /**
   * Exact: the count onlyA (R's binom.test "number of successes"); chi-square:
   * (|onlyA - onlyB| - 1)² / (onlyA + onlyB), without the -1 when onlyA = onlyB (as R).
   */
  statistic: number;
  /** Two-sided p-value for "both models have the same error rate". */
  pValue: number;
}

/**
 * McNemar's test for two classifiers scored on the same test examples, from the discordant pairs
 * only. A diagnostic beside the paired t test over seeds (DESIGN.md, Statistics): it treats the
 * test examples of one run as the only source of variation and ignores seed-to-seed variation.
 *
 * Reference: R `mcnemar.test(matrix(c(n11, onlyB, onlyA, n22), 2))` (continuity-corrected) and
 * `binom.test(onlyA, onlyA + onlyB, 0.5)` (exact); McNemar (1947), Psychometrika 12, 153–157.
 *
 * @throws {InvalidInputError} when a count is not a non-negative integer, when `options.exact` is
 *   not a boolean, or when there are no discordant pairs (the models agree on every example and
 *   the test is undefined; R returns NaN or stops).
 * @example
 * mcnemarTest({ onlyA: 150, onlyB: 86 }, { exact: false }) // { statistic: 16.818..., pValue: 4.115e-5 }
 */
export function mcnemarTest(counts: DiscordantCounts, options: McnemarOptions): McnemarResult {
  const api = 'mcnemarTest';
  const { onlyA, onlyB } = counts ?? ({} as DiscordantCounts);
  for (const [name, value] of [['onlyA', onlyA], ['onlyB', onlyB]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidInputError(
        `${api}: ${name} is ${String(value)}; pass the number of discordant examples as a non-negative integer.`,
      );
    }
  }
  if (typeof options?.exact !== 'boolean') {
    throw new InvalidInputError(
      `${api}: options.exact is ${String(options?.exact)}; pass { exact: true } for the exact ` +
        `binomial test or { exact: false } for the continuity-corrected chi-square test.`,
    );
  }
  const n = onlyA + onlyB;
  if (n === 0) {
    throw new InvalidInputError(
      `${api}: there are no discordant pairs (onlyA = onlyB = 0): the two models agree on every ` +
        `example, so the test is undefined; report the agreement instead.`,
    );
  }
  if (options.exact) {
    // Binomial(n, 1/2) is symmetric, so R's two-sided rule (sum of outcomes no more likely than the
    // observed one) is twice the smaller tail, capped at 1.
    const pValue = Math.min(1, 2 * binomialCdf(Math.min(onlyA, onlyB), n, 0.5));
    return { statistic: onlyA, pValue };
  }
  const yates = onlyA !== onlyB ? 1 : 0;
  const statistic = (Math.abs(onlyA - onlyB) - yates) ** 2 / n;
  return { statistic, pValue: chiSquareUpperTail(statistic, 1) };
}
