/**
 * CIFAR-10 (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images"), binary
 * version: `data_batch_1.bin` .. `data_batch_5.bin` (50,000 training images) and `test_batch.bin`
 * (10,000 test images). Each record is 3073 bytes: 1 label byte (0..9), then 3072 pixel bytes,
 * channel-major: 1024 red, 1024 green, 1024 blue values, each a 32x32 image in row-major order.
 *
 * CIFAR-10 cannot be downloaded in this environment: users who have it point `CIFAR10_DIR` at the
 * extracted `cifar-10-batches-bin` folder. Tests use a generated fixture in the same format.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRandom } from '../random.ts';
import { DatasetError, InvalidInputError } from '../errors.ts';
import { cachePromise } from '../promiseCache.ts';
import type { DatasetSplits, SealedDatasetSpec, Split, SplitName } from '../types.ts';
import { sealDataset } from './sealedDataset.ts';
import { assembleSplits, checkDatasetSplitOptions, type DatasetSplitOptions, type ExampleSource } from './assemble.ts';
import { datasetFingerprint } from './fingerprint.ts';
import { describePreprocessing } from './preprocess.ts';
import { applyShiftPlan, describeShiftSplit, shiftParams } from './shift.ts';

/** The five training batch files, in order. */
export const CIFAR10_TRAIN_FILES: readonly string[] = [
  'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin',
];
/** The test batch file. */
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** Class names by label index (`batches.meta.txt` of the binary version). */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];
/** Side of a CIFAR-10 image in pixels. */
export const CIFAR10_SIDE = 32;
/** Bytes per record: 1 label byte and 3 x 32 x 32 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * CIFAR10_SIDE * CIFAR10_SIDE;
/**
 * ITU-R BT.601 luma weights for R, G, B: `Y = 0.299 R + 0.587 G + 0.114 B` (the weights of
 * PIL's `convert('L')` and OpenCV's `COLOR_RGB2GRAY`), used for grayscale patches.
 */
export const BT601_LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

const HOW_TO_GET =
  'CIFAR-10 cannot be downloaded in this environment. Get the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) ' +
  "from the dataset authors' page https://www.cs.toronto.edu/~kriz/cifar.html, extract it " +
  '(tar xzf cifar-10-binary.tar.gz) and set CIFAR10_DIR to the extracted folder cifar-10-batches-bin';

/** Where to find the files. */
export interface Cifar10SourceOptions {
  /** Folder with the `.bin` files (or its parent holding `cifar-10-batches-bin`). Default: `CIFAR10_DIR`. */
  readonly dir?: string;
  /** Environment that `CIFAR10_DIR` is read from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One decoded batch file. */
export interface Cifar10Batch {
  readonly path: string;
  readonly count: number;
  readonly labels: Uint8Array;
  /** `count * 3072` pixel bytes, each image channel-major (R plane, G plane, B plane). */
  readonly images: Uint8Array;
  /** sha256 (hex) of the file. */
  readonly sha256: string;
}

/**
 * Reads and validates one CIFAR-10 binary batch file.
 *
 * @throws {DatasetError} when the file cannot be read, is empty, its size is not a multiple of
 *   3073 bytes (truncated or not a CIFAR-10 binary file), or a label is not 0..9.
 * @example
 * const batch = await readCifar10Batch('/data/cifar-10-batches-bin/test_batch.bin');
 */
export async function readCifar10Batch(path: string): Promise<Cifar10Batch> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DatasetError(`readCifar10Batch: cannot read ${path} (${(error as Error).message}). ${HOW_TO_GET}.`);
  }
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      `readCifar10Batch: ${path} has ${bytes.length} bytes, which is not a positive multiple of the ` +
        `${CIFAR10_RECORD_BYTES}-byte record (1 label + 3072 pixels); an official batch has ` +
        `${10_000 * CIFAR10_RECORD_BYTES} bytes. The file is truncated or not from the binary version ` +
        '(the Python and MATLAB versions are different formats). Copy or extract cifar-10-binary.tar.gz again.',
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const pixels = CIFAR10_RECORD_BYTES - 1;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < count; i++) {
    const record = i * CIFAR10_RECORD_BYTES;
    const label = bytes[record];
    if (label >= CIFAR10_CLASS_NAMES.length) {
      throw new DatasetError(
        `readCifar10Batch: record ${i} of ${path} has label ${label}; CIFAR-10 labels are 0..9. ` +
          'The file is corrupt or from CIFAR-100 (whose records have 2 label bytes). Use the CIFAR-10 binary version.',
      );
    }
    labels[i] = label;
    images.set(bytes.subarray(record + 1, record + CIFAR10_RECORD_BYTES), i * pixels);
  }
  return { path, count, labels, images, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The decoded dataset: the five training batches concatenated in file order, and the test batch. */
export interface Cifar10Arrays {
  readonly dir: string;
  /** sha256 of each file, by file name. */
  readonly sha256: Readonly<Record<string, string>>;
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

const decodedCache = new Map<string, Promise<Cifar10Arrays>>();

/**
 * Finds and decodes the six batch files (cached in-process by folder).
 *
 * @throws {DatasetError} when `CIFAR10_DIR` (or `dir`) is unset or lacks files, saying where to get
 *   the binary version; or as {@link readCifar10Batch} does.
 * @example
 * const { trainImages, trainLabels } = await loadCifar10Arrays({ dir: '/data/cifar-10-batches-bin' });
 */
export async function loadCifar10Arrays(options: Cifar10SourceOptions = {}): Promise<Cifar10Arrays> {
  const dir = locateCifar10(options);
  return cachePromise(decodedCache, dir, () => readAll(dir));
}

/** Empties the in-process cache of decoded files (for tests that replace files on disk). */
export function clearCifar10Cache(): void {
  decodedCache.clear();
}

function locateCifar10(options: Cifar10SourceOptions): string {
  const env = options.env ?? process.env;
  const given = options.dir ?? env.CIFAR10_DIR;
  const origin = options.dir !== undefined ? 'the dir option' : 'CIFAR10_DIR';
  if (given === undefined || given === '') {
    throw new DatasetError(`cifar10: CIFAR10_DIR is not set, so the CIFAR-10 files cannot be found. ${HOW_TO_GET}.`);
  }
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  for (const dir of [given, join(given, 'cifar-10-batches-bin')]) {
    if (files.every((name) => existsSync(join(dir, name)))) return resolve(dir);
  }
  const missing = files.filter((name) => !existsSync(join(given, name)));
  throw new DatasetError(
    `cifar10: ${origin} is ${given}, but that folder ${existsSync(given) ? `lacks ${missing.join(', ')}` : 'does not exist'} ` +
      `(nor does ${join(given, 'cifar-10-batches-bin')} hold all six files). ${HOW_TO_GET}.`,
  );
}

async function readAll(dir: string): Promise<Cifar10Arrays> {
  const train = await Promise.all(CIFAR10_TRAIN_FILES.map((name) => readCifar10Batch(join(dir, name))));
  const test = await readCifar10Batch(join(dir, CIFAR10_TEST_FILE));
  const trainCount = train.reduce((sum, batch) => sum + batch.count, 0);
  const trainImages = new Uint8Array(trainCount * (CIFAR10_RECORD_BYTES - 1));
  const trainLabels = new Uint8Array(trainCount);
  let offset = 0;
  for (const batch of train) {
    trainImages.set(batch.images, offset * (CIFAR10_RECORD_BYTES - 1));
    trainLabels.set(batch.labels, offset);
    offset += batch.count;
  }
  const sha256: Record<string, string> = {};
  CIFAR10_TRAIN_FILES.forEach((name, i) => (sha256[name] = train[i].sha256));
  sha256[CIFAR10_TEST_FILE] = test.sha256;
  return { dir, sha256, trainImages, trainLabels, testImages: test.images, testLabels: test.labels };
}

/** Options of {@link cifar10Patches}. */
export interface Cifar10PatchOptions extends DatasetSplitOptions {
  /** Side of the square patch in pixels, 1..32 (32 = the whole image). */
  readonly patchSize: number;
  /** `grayscale`: one BT.601 luma value per pixel; `rgb`: three values per pixel. */
  readonly colour: 'grayscale' | 'rgb';
  /** `center`: the central patch (top-left at floor((32 - patchSize) / 2)); `random`: a seeded uniform position per image. */
  readonly position: 'center' | 'random';
  /** Seed of the random positions; required when `position` is `random`, not allowed otherwise. */
  readonly patchSeed?: number;
  /** Where to find the files; not part of the dataset's identity (the file hashes are). */
  readonly source?: Cifar10SourceOptions;
}

/** Top-left corners chosen for the patches of a set of images. */
export interface PatchPositions {
  /** `top[i]`, `left[i]`: corner of image i's patch. */
  readonly top: Int32Array;
  readonly left: Int32Array;
}

/**
 * Patch corners for `count` images: the centre, or uniform over the `(33 - patchSize)^2`
 * positions drawn from `rng` (two draws per image: top, then left).
 *
 * @throws {InvalidInputError} when random positions are asked for without an rng.
 * @example
 * const { top, left } = patchPositions(10_000, { patchSize: 8, position: 'random', rng: createRandom(3) });
 */
export function patchPositions(
  count: number,
  options: { readonly patchSize: number; readonly position: 'center' | 'random'; readonly rng?: () => number },
): PatchPositions {
  const top = new Int32Array(count);
  const left = new Int32Array(count);
  const room = CIFAR10_SIDE - options.patchSize;
  if (options.position === 'center') {
    top.fill(Math.floor(room / 2));
    left.fill(Math.floor(room / 2));
  } else {
    const rng = options.rng;
    if (rng === undefined) throw new InvalidInputError('patchPositions: random positions need an rng.');
    for (let i = 0; i < count; i++) {
      top[i] = Math.floor(rng() * (room + 1));
      left[i] = Math.floor(rng() * (room + 1));
    }
  }
  return { top, left };
}

/**
 * Cuts patches from channel-major 32x32 RGB images into a {@link Split}, one row per index.
 * `rgb` rows are channels-last (row, column, channel) with featureShape `[p, p, 3]`; `grayscale`
 * rows hold `0.299 R + 0.587 G + 0.114 B` (unrounded) with featureShape `[p, p]`. Values stay on
 * the 0..255 scale (preprocessing is a separate step).
 *
 * @example
 * const split = extractPatches({ images, labels, positions }, indices, { patchSize: 8, colour: 'grayscale', name: 'train' });
 */
export function extractPatches(
  source: { readonly images: Uint8Array; readonly labels: Uint8Array; readonly positions: PatchPositions },
  indices: ArrayLike<number>,
  options: { readonly patchSize: number; readonly colour: 'grayscale' | 'rgb'; readonly name: SplitName },
): Split {
  const { patchSize: p, colour, name } = options;
  const side = CIFAR10_SIDE;
  const plane = side * side;
  const imageSize = 3 * plane;
  const channels = colour === 'rgb' ? 3 : 1;
  const rowSize = p * p * channels;
  const count = indices.length;
  const features = new Float32Array(count * rowSize);
  const labels = new Uint8Array(count);
  const [wr, wg, wb] = BT601_LUMA_WEIGHTS;
  for (let row = 0; row < count; row++) {
    const index = indices[row];
    if (!Number.isInteger(index) || index < 0 || index >= source.labels.length) {
      throw new InvalidInputError(`extractPatches: index ${index} at position ${row} is outside [0, ${source.labels.length}).`);
    }
    labels[row] = source.labels[index];
    const base = index * imageSize;
    const top = source.positions.top[index];
    const left = source.positions.left[index];
    let out = row * rowSize;
    for (let y = 0; y < p; y++) {
      for (let x = 0; x < p; x++) {
        const pixel = base + (top + y) * side + (left + x);
        const r = source.images[pixel];
        const g = source.images[pixel + plane];
        const b = source.images[pixel + 2 * plane];
        if (channels === 3) {
          features[out++] = r;
          features[out++] = g;
          features[out++] = b;
        } else {
          features[out++] = wr * r + wg * g + wb * b;
        }
      }
    }
  }
  const featureShape = colour === 'rgb' ? [p, p, 3] : [p, p];
  return { name, count, featureShape, numClasses: CIFAR10_CLASS_NAMES.length, features, labels };
}

/**
 * CIFAR-10 patches as a sealed dataset spec ({@link sealDataset}; `load()` gives train and validation only): one patch per image (see {@link extractPatches}),
 * train and validation from a stratified, seeded split of the 50,000 official training images,
 * test = the 10,000 official test images, optionally `shift` = patches at the same positions of
 * the corrupted test images. Random positions come from one `createRandom(patchSeed)`
 * stream, drawn for the training images in file order and then for the test images, so an
 * image's patch does not depend on the split.
 *
 * @throws {InvalidInputError} (at once) for bad options; `load` throws {@link DatasetError} as
 *   {@link loadCifar10Arrays} does.
 * @example
 * const data = cifar10Patches({ patchSize: 8, colour: 'grayscale', position: 'center',
 *   validationSize: 5_000, splitSeed: 0, preprocessing: 'standardize-per-feature' });
 */
export function cifar10Patches(options: Cifar10PatchOptions): SealedDatasetSpec {
  checkDatasetSplitOptions('cifar10Patches', options);
  const { patchSize, colour, position, patchSeed, validationSize, splitSeed, preprocessing, shift } = options;
  if (!Number.isInteger(patchSize) || patchSize < 1 || patchSize > CIFAR10_SIDE) {
    throw new InvalidInputError(`cifar10Patches: patchSize must be an integer from 1 to 32, got ${patchSize}.`);
  }
  if (colour !== 'grayscale' && colour !== 'rgb') {
    throw new InvalidInputError(`cifar10Patches: colour must be 'grayscale' or 'rgb', got ${JSON.stringify(colour)}.`);
  }
  if (position !== 'center' && position !== 'random') {
    throw new InvalidInputError(`cifar10Patches: position must be 'center' or 'random', got ${JSON.stringify(position)}.`);
  }
  if (position === 'random' && !Number.isSafeInteger(patchSeed)) {
    throw new InvalidInputError(`cifar10Patches: position 'random' needs patchSeed, a safe integer; got ${patchSeed}.`);
  }
  if (position === 'center' && patchSeed !== undefined) {
    throw new InvalidInputError("cifar10Patches: patchSeed only applies to position 'random'; remove it for 'center'.");
  }
  if (validationSize >= 50_000) {
    throw new InvalidInputError(`cifar10Patches: validationSize must be below the 50,000 official training images, got ${validationSize}.`);
  }
  const params = {
    patchSize, colour, position,
    ...(position === 'random' ? { patchSeed } : {}),
    validationSize, splitSeed, preprocessing,
    ...(shift ? { shift: shiftParams(shift) } : {}),
  };
  const where =
    position === 'center' ? 'the centre' : `a uniformly random position (seed ${patchSeed})`;
  const colourText =
    colour === 'rgb' ? 'RGB' : 'grayscale (ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B)';
  const description =
    `CIFAR-10 (Krizhevsky 2009; binary version) ${patchSize}x${patchSize} ${colourText} patches cut from ${where} ` +
    `of each 32x32 image: ${(50_000 - validationSize).toLocaleString('en-US')} train and ` +
    `${validationSize.toLocaleString('en-US')} validation images from a stratified split (seed ${splitSeed}) of the ` +
    '50,000 official training images, the 10,000 official test images as the test split' +
    (shift ? `, and ${describeShiftSplit(shift)}` : '') +
    `; patch values ${describePreprocessing(preprocessing)}.`;
  return sealDataset({
    id: 'cifar10-patches',
    description,
    params,
    hasShift: shift !== undefined,
    async load(): Promise<DatasetSplits> {
      const arrays = await loadCifar10Arrays(options.source);
      const trainCount = arrays.trainLabels.length;
      const testCount = arrays.testLabels.length;
      const rng = position === 'random' ? createRandom(patchSeed as number) : undefined;
      const trainPositions = patchPositions(trainCount, { patchSize, position, rng });
      const testPositions = patchPositions(testCount, { patchSize, position, rng });
      const source = (images: Uint8Array, labels: Uint8Array, positions: PatchPositions): ExampleSource => ({
        count: labels.length,
        labels,
        gather: (indices, name) => extractPatches({ images, labels, positions }, indices, { patchSize, colour, name }),
      });
      const shifted = shift ? applyShiftPlan(arrays.testImages, { count: testCount, height: CIFAR10_SIDE, width: CIFAR10_SIDE, channels: 3 }, shift) : undefined;
      const copies = shifted ? shifted.images.length / arrays.testImages.length : 0;
      const repeat = <T extends Uint8Array | Int32Array>(a: T): T => {
        const out = new (a.constructor as new (n: number) => T)(a.length * copies);
        for (let c = 0; c < copies; c++) out.set(a, c * a.length);
        return out;
      };
      const splits = assembleSplits({
        pool: source(arrays.trainImages, arrays.trainLabels, trainPositions),
        test: source(arrays.testImages, arrays.testLabels, testPositions),
        // Every corrupted copy of the test images is cut at the same patch positions as the test split.
        shift: shifted ? source(shifted.images, repeat(arrays.testLabels), { top: repeat(testPositions.top), left: repeat(testPositions.left) }) : undefined,
        ...(shifted?.groups ? { shiftGroups: { groups: shifted.groups, groupNames: shifted.groupNames! } } : {}),
        options,
      });
      return {
        ...splits,
        fingerprint: datasetFingerprint({ dataset: 'cifar10-patches', files: arrays.sha256, params }),
        classNames: CIFAR10_CLASS_NAMES,
      };
    },
  });
}
