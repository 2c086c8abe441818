/**
 * The part every image loader shares: the registered split options, and turning a pool of
 * official training examples plus the official test examples into preprocessed
 * train / validation / test (/ shift) splits.
 */
import { InvalidInputError } from '../errors.ts';
import type { Split, SplitName } from '../types.ts';
import { checkPreprocessing, preprocessSplits, type Preprocessing, type SplitSet } from './preprocess.ts';
import { checkShiftOption, type ShiftOption } from './shift.ts';
import { gatherSplit, stratifiedSplit, type ExampleTable } from './split.ts';

/** The registered split options every image dataset takes. */
export interface DatasetSplitOptions {
  /** Examples of the official training set held out (stratified) as the validation split. */
  readonly validationSize: number;
  /** Seed of the stratified train/validation split. */
  readonly splitSeed: number;
  /** Input preprocessing, fitted on the train split only. */
  readonly preprocessing: Preprocessing;
  /**
   * If set, a sealed `shift` split: the test images with one corruption (`{ kind, severity, seed }`), or once per
   * registered corruption (`{ corruptions: [{ kind, severity }, ...], seed }`, each example keeping its corruption in
   * `Split.groups`); see harness/data/shift.ts.
   */
  readonly shift?: ShiftOption;
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
  if (options.shift !== undefined) checkShiftOption(api, options.shift);
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
 * seeded), takes all of `test` (and `shift`, with its groups), and applies the preprocessing fitted on train (the
 * corruptions never touch train or validation: only `shift` is built from corrupted images).
 *
 * @throws {InvalidInputError} when `validationSize` does not leave at least one training example.
 * @example
 * const { train, validation, test } = assembleSplits({ pool, test: testSource, options: { validationSize: 100, splitSeed: 0, preprocessing: 'scale' } });
 */
export function assembleSplits(input: {
  readonly pool: ExampleSource;
  readonly test: ExampleSource;
  readonly shift?: ExampleSource;
  /** Each shift example's group (its corruption) and the group names, kept on the shift split (`Split.groups`). */
  readonly shiftGroups?: { readonly groups: Uint8Array; readonly groupNames: readonly string[] };
  readonly options: DatasetSplitOptions;
}): SplitSet {
  const { pool, test, shift, shiftGroups, options } = input;
  if (shiftGroups && (!shift || shiftGroups.groups.length !== shift.count)) {
    throw new InvalidInputError(`assembleSplits: ${shiftGroups.groups.length} shift groups for ${shift?.count ?? 0} shift examples; give one group per shift example.`);
  }
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
  const splits = preprocessSplits(options.preprocessing, raw, { inPlace: true }).splits;
  if (!shiftGroups || !splits.shift) return splits;
  return { ...splits, shift: { ...splits.shift, groups: shiftGroups.groups, groupNames: [...shiftGroups.groupNames] } };
}
