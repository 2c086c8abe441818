/**
 * Seeded, stratified splits and subsamples, and gathering a {@link Split} from indices.
 *
 * Allocation per class follows the largest-remainder (Hamilton) method, so every class gets
 * `floor` or `ceil` of its exact proportional share: class proportions are preserved to within
 * one example per class. Which examples of a class are chosen is decided by one Fisher-Yates
 * permutation of all indices drawn from `createRandom(seed)`; the returned indices are
 * sorted ascending, so the order of examples inside a split is the order of the source file and
 * only membership depends on the seed (training code shuffles with its own seed).
 */
import { createRandom } from '../random.ts';
import { InvalidInputError } from '../errors.ts';
import type { Split, SplitName } from '../types.ts';

/** Train and validation indices into the source arrays, each sorted ascending. */
export interface StratifiedSplit {
  readonly trainIndices: Int32Array;
  readonly validationIndices: Int32Array;
}

/**
 * Splits examples into train and validation sets, stratified by label and seeded.
 * The two index sets are disjoint, together cover `0..labels.length-1`, and the validation set
 * holds `floor` or `ceil` of `validationSize * n_c / n` examples of each class c.
 *
 * @throws {InvalidInputError} when labels are empty or not non-negative integers, when
 *   `validationSize` is not an integer in `[1, labels.length - 1]`, or the seed is not a safe integer.
 * @example
 * const { trainIndices, validationIndices } = stratifiedSplit(labels, { validationSize: 10_000, seed: 0 });
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  options: { readonly validationSize: number; readonly seed: number },
): StratifiedSplit {
  const n = checkLabels('stratifiedSplit', labels);
  const { validationSize, seed } = options;
  if (!Number.isInteger(validationSize) || validationSize < 1 || validationSize > n - 1) {
    throw new InvalidInputError(
      `stratifiedSplit: validationSize must be an integer in [1, ${n - 1}] for ${n} examples, got ${validationSize}.`,
    );
  }
  checkSeed('stratifiedSplit', seed);
  const chosen = stratifiedChoice(labels, validationSize, seed);
  const trainIndices = new Int32Array(n - validationSize);
  const validationIndices = new Int32Array(validationSize);
  let t = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (chosen[i]) validationIndices[v++] = i;
    else trainIndices[t++] = i;
  }
  return { trainIndices, validationIndices };
}

/**
 * Draws a stratified, seeded subsample of `size` examples (for the quick profile's budgets).
 * Same allocation rule as {@link stratifiedSplit}; indices are sorted ascending.
 *
 * @throws {InvalidInputError} when labels are invalid, `size` is not an integer in
 *   `[1, labels.length]`, or the seed is not a safe integer.
 * @example
 * const keep = stratifiedSubsample(train.labels, { size: 2_000, seed: 1 });
 * const small = gatherSplit(train, keep, 'train');
 */
export function stratifiedSubsample(
  labels: ArrayLike<number>,
  options: { readonly size: number; readonly seed: number },
): Int32Array {
  const n = checkLabels('stratifiedSubsample', labels);
  const { size, seed } = options;
  if (!Number.isInteger(size) || size < 1 || size > n) {
    throw new InvalidInputError(
      `stratifiedSubsample: size must be an integer in [1, ${n}] for ${n} examples, got ${size}.`,
    );
  }
  checkSeed('stratifiedSubsample', seed);
  const chosen = stratifiedChoice(labels, size, seed);
  const indices = new Int32Array(size);
  let k = 0;
  for (let i = 0; i < n; i++) if (chosen[i]) indices[k++] = i;
  return indices;
}

/**
 * The examples a split is gathered from: `features` holds `labels.length * featureSize` values,
 * row-major (a {@link Split} qualifies, and so do raw `Uint8Array` pixels).
 */
export interface ExampleTable {
  readonly featureShape: readonly number[];
  readonly numClasses: number;
  readonly features: Float32Array | Uint8Array;
  readonly labels: Uint8Array;
}

/**
 * Builds a {@link Split} from the rows `indices` of `source`, in the order given. Feature values
 * are copied unchanged into a new `Float32Array` (preprocessing is a separate, registered step).
 *
 * @throws {InvalidInputError} when the source's features do not match its labels and shape, or an
 *   index is out of range.
 * @example
 * const validation = gatherSplit(pool, validationIndices, 'validation');
 */
export function gatherSplit(source: ExampleTable, indices: ArrayLike<number>, name: SplitName): Split {
  const featureSize = featureSizeOf(source.featureShape);
  const n = source.labels.length;
  if (source.features.length !== n * featureSize) {
    throw new InvalidInputError(
      `gatherSplit: source has ${n} labels and feature shape [${source.featureShape.join(', ')}], so ` +
        `${n * featureSize} feature values are expected, got ${source.features.length}.`,
    );
  }
  const count = indices.length;
  const features = new Float32Array(count * featureSize);
  const labels = new Uint8Array(count);
  for (let row = 0; row < count; row++) {
    const index = indices[row];
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new InvalidInputError(`gatherSplit: index ${index} at position ${row} is outside [0, ${n}).`);
    }
    // TypedArray.set converts Uint8 to Float32 natively, much faster than a scalar loop.
    features.set(source.features.subarray(index * featureSize, (index + 1) * featureSize), row * featureSize);
    labels[row] = source.labels[index];
  }
  return { name, count, featureShape: [...source.featureShape], numClasses: source.numClasses, features, labels };
}

/**
 * The number of values per example: the product of `featureShape`.
 *
 * @throws {InvalidInputError} when an axis is not a positive integer.
 * @example
 * featureSizeOf([28, 28]); // 784
 */
export function featureSizeOf(featureShape: readonly number[]): number {
  let size = 1;
  for (const d of featureShape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new InvalidInputError(`featureSizeOf: every axis of featureShape must be a positive integer, got [${featureShape.join(', ')}].`);
    }
    size *= d;
  }
  return size;
}

/** Marks `size` examples, stratified by label (largest remainder), using one seeded permutation. */
function stratifiedChoice(labels: ArrayLike<number>, size: number, seed: number): Uint8Array {
  const n = labels.length;
  const classCounts = new Map<number, number>();
  for (let i = 0; i < n; i++) classCounts.set(labels[i], (classCounts.get(labels[i]) ?? 0) + 1);
  const classes = [...classCounts.keys()].sort((a, b) => a - b);
  // Hamilton allocation in exact integer arithmetic: size * n_c = quota * n + remainder.
  const quota = new Map<number, number>();
  const remainders: Array<{ label: number; remainder: number }> = [];
  let allocated = 0;
  for (const label of classes) {
    const product = size * classCounts.get(label)!;
    const q = Math.floor(product / n);
    quota.set(label, q);
    allocated += q;
    remainders.push({ label, remainder: product - q * n });
  }
  remainders.sort((a, b) => b.remainder - a.remainder || a.label - b.label);
  for (let k = 0; k < size - allocated; k++) {
    const { label } = remainders[k];
    quota.set(label, quota.get(label)! + 1);
  }
  const rng = createRandom(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  const chosen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const index = order[k];
    const label = labels[index];
    const left = quota.get(label)!;
    if (left > 0) {
      chosen[index] = 1;
      quota.set(label, left - 1);
    }
  }
  return chosen;
}

function checkLabels(api: string, labels: ArrayLike<number>): number {
  const n = labels.length;
  if (n < 1) throw new InvalidInputError(`${api}: labels are empty; pass at least one labelled example.`);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0) {
      throw new InvalidInputError(`${api}: labels must be non-negative integers, got ${label} at index ${i}.`);
    }
  }
  return n;
}

function checkSeed(api: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidInputError(`${api}: seed must be a safe integer (it is used as createRandom(seed)), got ${seed}.`);
  }
}
