import { benjaminiHochberg, holmAdjust } from '../stats/index.ts';

/**
 * Multiplicity-adjusted p-values of one family, in member order, over every registered member: a member whose
 * analysis failed (`null`) counts as p = 1, so a family never shrinks when a hypothesis fails to compute (Holm
 * over the registered m, as R's `p.adjust(p, method, n = m)` with the failed members left out; the Bonferroni
 * interval divides by the same m). Failed members get `null` back; a family of only failures gives only `null`s.
 * `bonferroni` families get {@link holmAdjust}, `benjamini-hochberg` families {@link benjaminiHochberg}.
 *
 * @example
 * familyAdjustedPValues([0.006943, null, 0.5], 'bonferroni') // [0.020829, null, 1]: R p.adjust(c(0.006943, 0.5), "holm", n = 3)
 */
export function familyAdjustedPValues(pValues: readonly (number | null)[], correction: 'bonferroni' | 'benjamini-hochberg'): (number | null)[] {
  if (pValues.length === 0) return [];
  const filled = pValues.map((p) => p ?? 1);
  const adjusted = correction === 'bonferroni' ? holmAdjust(filled) : benjaminiHochberg(filled);
  return pValues.map((p, i) => (p === null ? null : adjusted[i]));
}
