import { orderOf, requirePValues } from './pValues.ts';

/**
 * Benjamini–Hochberg adjusted p-values (false discovery rate), in the input order: the i-th
 * smallest p-value becomes min over j >= i of min(1, m / j · p_(j)). For exploratory analyses
 * only, and labelled so (DESIGN.md, Statistics); confirmatory families use Bonferroni and Holm.
 *
 * Reference: R `p.adjust(p, method = "BH")`; Benjamini & Hochberg (1995), "Controlling the false
 * discovery rate", Journal of the Royal Statistical Society B 57, 289–300.
 *
 * @throws {InvalidInputError} when the array is empty or holds a value outside [0, 1] (or NaN).
 * @example
 * benjaminiHochberg([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04]
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): number[] {
  requirePValues('benjaminiHochberg', pValues);
  const m = pValues.length;
  const order = orderOf(pValues);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const i = order[rank];
    running = Math.min(running, (m / (rank + 1)) * pValues[i]);
    adjusted[i] = running;
  }
  return adjusted;
}
