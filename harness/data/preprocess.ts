/**
 * Registered input preprocessing. Every method is an affine map `x' = (x - mean[j]) / std[j]`
 * whose parameters are fitted on the TRAINING split only and then applied unchanged to
 * validation, test and shift, so no statistic of a held-out split leaks into training.
 *
 * - `scale`: divide 8-bit values by 255 (mean 0, std 255), giving [0, 1].
 * - `standardize-global`: one mean and one standard deviation over all training values.
 * - `standardize-per-feature`: a mean and standard deviation per feature (pixel) over the
 *   training examples. As in scikit-learn's `StandardScaler`, a feature that is constant in
 *   training keeps std 1 (it is only centred), rather than dividing by zero.
 *
 * Standard deviations are population ones (divide by n), as in `StandardScaler`, computed in
 * double precision.
 */
import { InvalidInputError } from '../errors.ts';
import type { Split } from '../types.ts';
import { featureSizeOf } from './split.ts';

/** The preprocessing a study registers. */
export type Preprocessing = 'scale' | 'standardize-global' | 'standardize-per-feature';

/** Every accepted {@link Preprocessing} value. */
export const PREPROCESSING_METHODS: readonly Preprocessing[] = ['scale', 'standardize-global', 'standardize-per-feature'];

/** A fitted preprocessing: `x' = (x - mean[j]) / std[j]`, with one entry, or one per feature. */
export interface FittedPreprocessing {
  readonly method: Preprocessing;
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/**
 * Fits the preprocessing parameters on the training split.
 *
 * @throws {InvalidInputError} for an unknown method or an empty training split.
 * @example
 * const fitted = fitPreprocessing('standardize-global', train);
 */
export function fitPreprocessing(method: Preprocessing, train: Split): FittedPreprocessing {
  checkPreprocessing('fitPreprocessing', method);
  if (method === 'scale') return { method, mean: Float64Array.of(0), std: Float64Array.of(255) };
  const featureSize = featureSizeOf(train.featureShape);
  const values = train.features;
  if (train.count < 1 || values.length !== train.count * featureSize) {
    throw new InvalidInputError(
      `fitPreprocessing: the training split must hold at least one example with ${featureSize} features; ` +
        `it has count ${train.count} and ${values.length} values.`,
    );
  }
  if (method === 'standardize-global') {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    const mean = sum / values.length;
    let squares = 0;
    for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
    const std = Math.sqrt(squares / values.length);
    return { method, mean: Float64Array.of(mean), std: Float64Array.of(std > 0 ? std : 1) };
  }
  const mean = new Float64Array(featureSize);
  for (let row = 0; row < train.count; row++) {
    const offset = row * featureSize;
    for (let j = 0; j < featureSize; j++) mean[j] += values[offset + j];
  }
  for (let j = 0; j < featureSize; j++) mean[j] /= train.count;
  const std = new Float64Array(featureSize);
  for (let row = 0; row < train.count; row++) {
    const offset = row * featureSize;
    for (let j = 0; j < featureSize; j++) std[j] += (values[offset + j] - mean[j]) ** 2;
  }
  for (let j = 0; j < featureSize; j++) {
    const s = Math.sqrt(std[j] / train.count);
    std[j] = s > 0 ? s : 1;
  }
  return { method, mean, std };
}

/**
 * Applies fitted parameters to a split. Returns a new split unless `inPlace` is set, in which
 * case the split's own `features` array is overwritten (for freshly gathered arrays only).
 *
 * @throws {InvalidInputError} when a per-feature fit does not match the split's feature size.
 * @example
 * const test = applyPreprocessing(fitted, rawTest);
 */
export function applyPreprocessing(
  fitted: FittedPreprocessing,
  split: Split,
  options: { readonly inPlace?: boolean } = {},
): Split {
  const featureSize = featureSizeOf(split.featureShape);
  const width = fitted.mean.length;
  if (width !== 1 && width !== featureSize) {
    throw new InvalidInputError(
      `applyPreprocessing: parameters were fitted on ${width} features but split ${split.name} has ${featureSize}.`,
    );
  }
  const input = split.features;
  const output = options.inPlace ? input : new Float32Array(input.length);
  // Divide rather than multiply by a reciprocal, so 'scale' is exactly x / 255 in every value.
  if (width === 1) {
    const mean = fitted.mean[0];
    const std = fitted.std[0];
    for (let i = 0; i < input.length; i++) output[i] = (input[i] - mean) / std;
  } else {
    const { mean, std } = fitted;
    for (let offset = 0; offset < input.length; offset += featureSize) {
      for (let j = 0; j < featureSize; j++) output[offset + j] = (input[offset + j] - mean[j]) / std[j];
    }
  }
  return options.inPlace ? split : { ...split, features: output };
}

/** The splits {@link preprocessSplits} takes and returns. */
export interface SplitSet {
  readonly train: Split;
  readonly validation: Split;
  readonly test: Split;
  readonly shift?: Split;
}

/**
 * Fits `method` on `splits.train` only and applies it to every split.
 *
 * @throws {InvalidInputError} as {@link fitPreprocessing} and {@link applyPreprocessing} do.
 * @example
 * const { splits, fitted } = preprocessSplits('standardize-per-feature', { train, validation, test });
 */
export function preprocessSplits(
  method: Preprocessing,
  splits: SplitSet,
  options: { readonly inPlace?: boolean } = {},
): { splits: SplitSet; fitted: FittedPreprocessing } {
  const fitted = fitPreprocessing(method, splits.train);
  const apply = (split: Split) => applyPreprocessing(fitted, split, options);
  return {
    fitted,
    splits: {
      train: apply(splits.train),
      validation: apply(splits.validation),
      test: apply(splits.test),
      ...(splits.shift ? { shift: apply(splits.shift) } : {}),
    },
  };
}

/**
 * A predicate for a report sentence, e.g. "divided by 255" (as in "pixel values divided by 255").
 *
 * @example
 * describePreprocessing('standardize-global'); // "standardized with the mean and standard deviation of all training-split values"
 */
export function describePreprocessing(method: Preprocessing): string {
  checkPreprocessing('describePreprocessing', method);
  switch (method) {
    case 'scale':
      return 'divided by 255';
    case 'standardize-global':
      return 'standardized with the mean and standard deviation of all training-split values';
    case 'standardize-per-feature':
      return 'standardized per feature with training-split means and standard deviations';
  }
}

/**
 * Asserts that `method` is a known {@link Preprocessing}.
 *
 * @throws {InvalidInputError} unless `method` is one of {@link PREPROCESSING_METHODS}.
 * @example
 * checkPreprocessing('myLoader', options.preprocessing);
 */
export function checkPreprocessing(api: string, method: unknown): asserts method is Preprocessing {
  if (!PREPROCESSING_METHODS.includes(method as Preprocessing)) {
    throw new InvalidInputError(
      `${api}: preprocessing must be one of ${PREPROCESSING_METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(method)}.`,
    );
  }
}
