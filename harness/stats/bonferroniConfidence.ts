import { InvalidInputError } from '../errors.ts';
import { requireConfidence } from './validate.ts';

/**
 * Bonferroni-adjusted confidence level for one member of a family of m confirmatory hypotheses:
 * 1 - (1 - confidence) / m. The verdict of a confirmatory hypothesis is decided by its interval at
 * this level (DESIGN.md, Statistics), which keeps the family-wise coverage at `confidence`.
 *
 * Reference: Bonferroni inequality; e.g. Dunn (1961), "Multiple comparisons among means", JASA 56,
 * 52–64.
 *
 * @throws {InvalidInputError} when confidence is outside (0, 1) or m is not a positive integer.
 * @example
 * bonferroniConfidence(0.95, 4) // 0.9875
 */
export function bonferroniConfidence(confidence: number, m: number): number {
  requireConfidence('bonferroniConfidence', confidence);
  if (!Number.isInteger(m) || m < 1) {
    throw new InvalidInputError(
      `bonferroniConfidence: family size m is ${String(m)}; pass the number of hypotheses in the ` +
        `family as a positive integer.`,
    );
  }
  return 1 - (1 - confidence) / m;
}
