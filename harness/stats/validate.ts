/**
 * Input checks shared by every estimator in `harness/stats`. Each check throws
 * {@link InvalidInputError} with a message that names the calling API, the problem and the fix.
 * Internal to the module (not re-exported from `index.ts`).
 */
import { InvalidInputError } from '../errors.ts';

/** Which side(s) a test or interval looks at, as in R's `alternative` argument. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** Throws unless `values` holds at least `minLength` finite numbers. */
export function requireSample(
  api: string,
  name: string,
  values: ArrayLike<number> | undefined,
  minLength: number,
): void {
  if (values === null || values === undefined || typeof values.length !== 'number') {
    throw new InvalidInputError(`${api}: ${name} is missing; pass an array of numbers.`);
  }
  if (values.length < minLength) {
    const needed = minLength === 1 ? 'at least one value' : `at least ${minLength} values`;
    throw new InvalidInputError(
      `${api}: ${name} has ${values.length} value(s) but needs ${needed}; ` +
        `pass more observations (for example more seeds).`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidInputError(
        `${api}: ${name}[${i}] is ${String(v)}, not a finite number; ` +
          `remove or fix diverged runs (NaN/Infinity) before the analysis, as the study's rule says.`,
      );
    }
  }
}

/** Throws unless `confidence` is a number strictly between 0 and 1. */
export function requireConfidence(api: string, confidence: number): void {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new InvalidInputError(
      `${api}: confidence ${String(confidence)} is outside (0, 1); pass a level such as 0.95.`,
    );
  }
}

/** Throws unless `alternative` is one of 'two-sided', 'greater', 'less'. */
export function requireAlternative(api: string, alternative: string): asserts alternative is Alternative {
  if (alternative !== 'two-sided' && alternative !== 'greater' && alternative !== 'less') {
    throw new InvalidInputError(
      `${api}: alternative '${String(alternative)}' is unknown; pass 'two-sided', 'greater' or 'less'.`,
    );
  }
}

/** Throws unless `value` is a finite number. */
export function requireFinite(api: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(`${api}: ${name} is ${String(value)}; pass a finite number.`);
  }
}

/** Compensated (Neumaier) sum: keeps the digits that naive summation of many values loses. */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/**
 * Mean with one refinement pass (`m + mean(x - m)`), accurate even when the values share many
 * leading digits (NIST SmLs09: 13 constant leading digits).
 */
export function accurateMean(values: ArrayLike<number>): number {
  const n = values.length;
  const first = accurateSum(values) / n;
  let correction = 0;
  for (let i = 0; i < n; i++) correction += values[i] - first;
  return first + correction / n;
}
