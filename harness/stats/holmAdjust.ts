import { orderOf, requirePValues } from './pValues.ts';

/**
 * Holm's step-down adjusted p-values for a family of m hypotheses, in the input order: the i-th
 * smallest p-value becomes max over j <= i of min(1, (m - j + 1) · p_(j)). Controls the
 * family-wise error rate; reported beside the Bonferroni-adjusted interval that decides a
 * confirmatory verdict (DESIGN.md, Statistics).
 *
 * Reference: R `p.adjust(p, method = "holm")`; Holm (1979), "A simple sequentially rejective
 * multiple test procedure", Scandinavian Journal of Statistics 6, 65–70.
 *
 * @throws {InvalidInputError} when the array is empty or holds a value outside [0, 1] (or NaN).
 * @example
 * holmAdjust([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function holmAdjust(pValues: ArrayLike<number>): number[] {
  requirePValues('holmAdjust', pValues);
  const m = pValues.length;
  const order = orderOf(pValues);
  const adjusted = new Array<number>(m);
  let running = 0;
  for (let rank = 0; rank < m; rank++) {
    const i = order[rank];
    running = Math.max(running, Math.min(1, (m - rank) * pValues[i]));
    adjusted[i] = running;
  }
  return adjusted;
}
