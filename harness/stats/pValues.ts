import { InvalidInputError } from '../errors.ts';

/** Throws unless `pValues` is a non-empty array of numbers in [0, 1]. Internal to the module. */
export function requirePValues(api: string, pValues: ArrayLike<number>): void {
  if (pValues === null || pValues === undefined || typeof pValues.length !== 'number' || pValues.length === 0) {
    throw new InvalidInputError(
      `${api}: no p-values given; pass the p-values of the whole family (at least one).`,
    );
  }
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new InvalidInputError(
        `${api}: pValues[${i}] is ${String(p)}, not a probability; pass p-values in [0, 1] ` +
          `(a NaN usually means the test itself failed: fix that first).`,
      );
    }
  }
}

/** Indices of `values` sorted by value (stable, so ties keep their input order). */
export function orderOf(values: ArrayLike<number>): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
}
