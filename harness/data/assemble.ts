/**
 * The part every image loader shares: the registered split options, and turning a pool of
 * official training examples plus the official test examples into preprocessed
 * train / validation / test (/ shift) splits.
 */
import { InvalidInputError } from '../errors.ts';
import type { Split, SplitName } from '../types.ts';
import { checkPreprocessing, preprocessSplits, type Preprocessing, type SplitSet } from './preprocess.ts';
import { checkShiftSpec, type ShiftSpec } from './shift.ts';
import { gatherSplit, stratifiedSplit, type ExampleTable } from './split.ts';

/** The registered split options every image dataset takes. */
export interface DatasetSplitOptions {
  /** Examples of the official training set held out (stratified) as the validation split. */
  readonly validationSize: number;
  /** Seed of the stratified train/validation split. */
  readonly splitSeed: number;
  /** Input preprocessing, fitted on the train split only. */
  readonly preprocessing: Preprocessing;
  /** If set, a sealed `shift` split: the test images with this corruption. */
  readonly shift?: ShiftSpec;
}

/**
 * Checks split options before anything is loaded.
 *
 * @throws {InvalidInputError} naming the bad field and what is accepted.
 * @example
 * checkDatasetSplitOptions('myLoader', { validationSize: 5_000, splitSeed: 0, preprocessing: 'scale' });
 */
export function checkDatasetSplitOptions(api: string, options: DatasetSplitOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError(`${api}: pass an options object { validationSize, splitSeed, preprocessing }.`);
  }
  if (!Number.isInteger(options.validationSize) || options.validationSize < 1) {
    throw new InvalidInputError(`${api}: validationSize must be a positive integer, got ${options.validationSize}.`);
  }
  if (!Number.isSafeInteger(options.splitSeed)) {
    throw new InvalidInputError(`${api}: splitSeed must be a safe integer, got ${options.splitSeed}.`);
  }
  checkPreprocessing(api, options.preprocessing);
  if (options.shift !== undefined) checkShiftSpec(api, options.shift);
}

/** Examples that can be gathered into a {@link Split} by index. */
export interface ExampleSource {
  readonly count: number;
  readonly labels: Uint8Array;
  gather(indices: ArrayLike<number>, name: SplitName): Split;
}

/**
 * An {@link ExampleSource} over a table of stored features (e.g. raw pixels).
 *
 * @example
 * const pool = tableSource({ featureShape: [28, 28], numClasses: 10, features: pixels, labels });
 */
export function tableSource(table: ExampleTable): ExampleSource {
  return {
    count: table.labels.length,
    labels: table.labels,
    gather: (indices, name) => gatherSplit(table, indices, name),
  };
}

/**
 * Splits `pool` (the official training examples) into train and validation (stratified,
 * seeded), takes all of `test` (and `shift`), and applies the preprocessing fitted on train.
 *
 * @throws {InvalidInputError} when `validationSize` does not leave at least one training example.
 * @example
 * const { train, validation, test } = assembleSplits({ pool, test: testSource, options: { validationSize: 100, splitSeed: 0, preprocessing: 'scale' } });
 */
export function assembleSplits(input: {
  readonly pool: ExampleSource;
  readonly test: ExampleSource;
  readonly shift?: ExampleSource;
  readonly options: DatasetSplitOptions;
}): SplitSet {
  const { pool, test, shift, options } = input;
  if (options.validationSize >= pool.count) {
    throw new InvalidInputError(
      `assembleSplits: validationSize ${options.validationSize} must be smaller than the ${pool.count} training examples.`,
    );
  }
  const { trainIndices, validationIndices } = stratifiedSplit(pool.labels, {
    validationSize: options.validationSize,
    seed: options.splitSeed,
  });
  const all = (source: ExampleSource) => Int32Array.from({ length: source.count }, (_, i) => i);
  const raw: SplitSet = {
    train: pool.gather(trainIndices, 'train'),
    validation: pool.gather(validationIndices, 'validation'),
    test: test.gather(all(test), 'test'),
    ...(shift ? { shift: shift.gather(all(shift), 'shift') } : {}),
  };
  // The gathered arrays are fresh copies, so preprocessing may overwrite them.
  return preprocessSplits(options.preprocessing, raw, { inPlace: true }).splits;
}
