/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist):
 * 70,000 28x28 grayscale images of 10 clothing classes in IDX files, 60,000 for training and
 * 10,000 for testing.
 *
 * Where the files come from, in order:
 * 1. `FASHION_MNIST_DIR`, if set. It is then the only place looked at: an explicit setting that
 *    is wrong is an error, never silently replaced by another copy.
 * 2. `searchDirs` (default `/usr/share/datasets/fashion-mnist`, Debian package `dataset-fashion-mnist`).
 * 3. The cache `<repo>/.cache/fashion-mnist/`, filled by step 4 earlier.
 * 4. `dataset-fashion-mnist` fetched without root by `harness/system/debianFetch.ts` (`apt-get download`,
 *    with private package lists when the system's are missing or stale; the `.deb`'s sha256 checked against
 *    the archive's index; `dpkg-deb -x`), the four IDX files moved into the cache with the package's
 *    provenance beside them (it goes into the run records' `environment.debianPackages`).
 * Each file may be raw or gzipped. The sha256 of the DECOMPRESSED bytes is checked against the
 * upstream values (Debian recompressed the `.gz` files, so their own hashes differ).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError, InvalidInputError } from '../errors.ts';
import { cachePromise } from '../promiseCache.ts';
import { moveAside } from '../moveAside.ts';
import { fetchDebianPackage, ignoringSystemPackages, recordDebianPackagesInUse, type DebianFetchOptions, type DebianPackageProvenance } from '../system/debianFetch.ts';
import type { DatasetSplits, SealedDatasetSpec } from '../types.ts';
import { sealDataset } from './sealedDataset.ts';
import { assembleSplits, checkDatasetSplitOptions, tableSource, type DatasetSplitOptions } from './assemble.ts';
import { datasetFingerprint } from './fingerprint.ts';
import { describePreprocessing } from './preprocess.ts';
import { applyShiftPlan, describeShiftSplit, shiftParams } from './shift.ts';
import { readIdxFile, type IdxFile } from './idx.ts';

/** The four Fashion-MNIST files, by their base names (without `.gz`). */
export type FashionMnistFile =
  | 'train-images-idx3-ubyte'
  | 'train-labels-idx1-ubyte'
  | 't10k-images-idx3-ubyte'
  | 't10k-labels-idx1-ubyte';

/** The four file base names, in the order they are reported. */
export const FASHION_MNIST_FILES: readonly FashionMnistFile[] = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

/** sha256 of the decompressed official files (DESIGN.md; identical in the Debian package). */
export const FASHION_MNIST_SHA256: Readonly<Record<FashionMnistFile, string>> = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

/** Class names, by label index, as published by the dataset authors. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Directory the Debian package `dataset-fashion-mnist` installs the files into. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

/** Default cache for the `apt-get download` fallback: `<repo>/.cache/fashion-mnist`. */
export const FASHION_MNIST_CACHE_DIR = fileURLToPath(new URL('../../.cache/fashion-mnist', import.meta.url));

const DEBIAN_PACKAGE = 'dataset-fashion-mnist';

/** File in the download cache that records the fetched package (name, version, sha256 of the `.deb`). */
export const FASHION_MNIST_PROVENANCE_FILE = '.hypotest-package.json';
const HOW_TO_GET =
  `install the Debian package (apt-get install ${DEBIAN_PACKAGE}), or download the four files from ` +
  'https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) and set FASHION_MNIST_DIR to their folder';

/** Where to look for the files; every field is optional and defaults to the documented search. */
export interface FashionMnistSourceOptions {
  /** Directories searched after `FASHION_MNIST_DIR`. Default: [{@link FASHION_MNIST_SYSTEM_DIR}]. */
  readonly searchDirs?: readonly string[];
  /** Cache folder of the download fallback. Default: {@link FASHION_MNIST_CACHE_DIR}. */
  readonly cacheDir?: string;
  /** Whether to fall back to `apt-get download`. Default: true. */
  readonly download?: boolean;
  /** How the download fetches (e.g. `{ systemLists: false }`: private package lists, as on a fresh machine). */
  readonly fetch?: Pick<DebianFetchOptions, 'systemLists'>;
  /** Environment that `FASHION_MNIST_DIR` is read from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Expected sha256 of the decompressed files. Default: {@link FASHION_MNIST_SHA256} (tests use tiny files). */
  readonly expectedSha256?: Readonly<Record<FashionMnistFile, string>>;
}

/** How the files were found. */
export type FashionMnistOrigin = 'FASHION_MNIST_DIR' | 'search' | 'cache' | 'download';

/** The verified, decoded dataset: raw pixels (0..255, row-major 28x28 per image) and labels. */
export interface FashionMnistArrays {
  readonly dir: string;
  readonly origin: FashionMnistOrigin;
  /** Absolute path of each file read. */
  readonly paths: Readonly<Record<FashionMnistFile, string>>;
  /** Verified sha256 of each decompressed file. */
  readonly sha256: Readonly<Record<FashionMnistFile, string>>;
  readonly rows: number;
  readonly cols: number;
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

/** Decoded datasets of this process, by directory and expected hashes (several cells load it). */
const decodedCache = new Map<string, Promise<FashionMnistArrays>>();

/**
 * Finds, reads, verifies and decodes the four Fashion-MNIST files (cached in-process).
 *
 * @throws {DatasetError} when no location has the files (listing every place tried and how to
 *   get them), a file is truncated or corrupt, a checksum differs, or the files disagree in shape.
 * @example
 * const { trainImages, trainLabels, sha256 } = await loadFashionMnistArrays();
 */
export async function loadFashionMnistArrays(options: FashionMnistSourceOptions = {}): Promise<FashionMnistArrays> {
  const expected = options.expectedSha256 ?? FASHION_MNIST_SHA256;
  const { dir, origin } = await locateFashionMnist(options);
  const key = `${resolve(dir)}\0${JSON.stringify(expected)}`;
  const arrays = await cachePromise(decodedCache, key, () => readAndVerify(resolve(dir), origin, expected));
  noteProvenance(dir, origin);
  return arrays;
}

/** Empties the in-process cache of decoded files (for tests that replace files on disk). */
export function clearFashionMnistCache(): void {
  decodedCache.clear();
}

/**
 * Finds a folder holding all four files, following the documented order, downloading the Debian
 * package into the cache as the last resort.
 *
 * @throws {DatasetError} listing every place tried and how to fix it.
 * @example
 * const { dir, origin } = await locateFashionMnist({ download: false });
 */
export async function locateFashionMnist(
  options: FashionMnistSourceOptions = {},
): Promise<{ dir: string; origin: FashionMnistOrigin }> {
  const env = options.env ?? process.env;
  const fromEnv = env.FASHION_MNIST_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const missing = missingFiles(fromEnv);
    if (missing.length === 0) return { dir: fromEnv, origin: 'FASHION_MNIST_DIR' };
    throw new DatasetError(
      `fashionMnist: FASHION_MNIST_DIR is set to ${fromEnv}, but that folder lacks ${missing.join(', ')} ` +
        '(raw or .gz). Point FASHION_MNIST_DIR at the folder holding the four IDX files, or unset it to use ' +
        `${FASHION_MNIST_SYSTEM_DIR} (Debian package ${DEBIAN_PACKAGE}) or the download fallback.`,
    );
  }
  const tried: string[] = ['FASHION_MNIST_DIR: not set'];
  for (const dir of options.searchDirs ?? (ignoringSystemPackages() ? [] : [FASHION_MNIST_SYSTEM_DIR])) {
    const missing = missingFiles(dir);
    if (missing.length === 0) return { dir, origin: 'search' };
    tried.push(`${dir}: ${describeMissing(dir, missing)}`);
  }
  const cacheDir = options.cacheDir ?? FASHION_MNIST_CACHE_DIR;
  const cachedMissing = missingFiles(cacheDir);
  if (cachedMissing.length === 0) return { dir: cacheDir, origin: 'cache' };
  tried.push(`cache ${cacheDir}: ${describeMissing(cacheDir, cachedMissing)}`);
  if (options.download === false) {
    tried.push('apt-get download: disabled (download: false)');
  } else {
    try {
      await downloadDebianPackage(cacheDir, options.fetch);
      return { dir: cacheDir, origin: 'download' };
    } catch (error) {
      tried.push(`apt-get download ${DEBIAN_PACKAGE} into ${cacheDir}: failed (${(error as Error).message})`);
    }
  }
  throw new DatasetError(
    'fashionMnist: cannot find the Fashion-MNIST IDX files. Tried, in order:\n' +
      tried.map((line, i) => `  ${i + 1}. ${line}`).join('\n') +
      `\nTo fix it, ${HOW_TO_GET}.`,
  );
}

/**
 * Fetches the Debian package without root ({@link fetchDebianPackage}: `apt-get download`, with private package
 * lists when the system has none, sha256 checked against the archive's index, `dpkg-deb -x`) into a temporary
 * folder inside `cacheDir`, moves the four IDX files into `cacheDir` and writes the package's provenance beside them
 * ({@link FASHION_MNIST_PROVENANCE_FILE}). Concurrent callers each work in their own temporary folder; the final
 * renames replace identical files atomically.
 *
 * @throws {Error} with the fetch's message when a step fails (wrapped by the caller).
 */
async function downloadDebianPackage(cacheDir: string, fetch: Pick<DebianFetchOptions, 'systemLists'> = {}): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.download-'));
  try {
    const [pkg] = fetchDebianPackage(DEBIAN_PACKAGE, { ...fetch, cacheDir: work, dependencies: false });
    const extracted = join(pkg.root, FASHION_MNIST_SYSTEM_DIR);
    const missing = missingFiles(extracted);
    if (missing.length > 0) throw new Error(`${DEBIAN_PACKAGE} ${pkg.provenance.version} does not contain ${missing.join(', ')} under ${FASHION_MNIST_SYSTEM_DIR}`);
    for (const name of await readdir(extracted)) await rename(join(extracted, name), join(cacheDir, name));
    await writeFile(join(work, FASHION_MNIST_PROVENANCE_FILE), `${JSON.stringify(pkg.provenance, null, 2)}\n`);
    await rename(join(work, FASHION_MNIST_PROVENANCE_FILE), join(cacheDir, FASHION_MNIST_PROVENANCE_FILE));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Records the fetched package's provenance for the run records, when the files came from the download cache. */
function noteProvenance(dir: string, origin: FashionMnistOrigin): void {
  if (origin !== 'cache' && origin !== 'download') return;
  const file = join(dir, FASHION_MNIST_PROVENANCE_FILE);
  if (!existsSync(file)) return;
  try {
    recordDebianPackagesInUse('fashion-mnist', [JSON.parse(readFileSync(file, 'utf8')) as DebianPackageProvenance]);
  } catch {
    // A damaged provenance file does not stop the run: the IDX files' own sha256 are checked anyway.
  }
}

async function readAndVerify(
  dir: string,
  origin: FashionMnistOrigin,
  expected: Readonly<Record<FashionMnistFile, string>>,
): Promise<FashionMnistArrays> {
  const fix =
    origin === 'FASHION_MNIST_DIR'
      ? 'Replace the file with the official one from https://github.com/zalandoresearch/fashion-mnist (data/fashion).'
      : origin === 'search'
        ? `Reinstall the package (apt-get install --reinstall ${DEBIAN_PACKAGE}) or point FASHION_MNIST_DIR at the official files.`
        : 'Run again: the damaged file was moved aside and the package is downloaded again (or point FASHION_MNIST_DIR at the official files).';
  // Files in hypotest's own download cache are moved aside when damaged (never deleted or overwritten), so the next run
  // downloads them again; files of the system or FASHION_MNIST_DIR are the user's, reported with the fix and left alone.
  const managed = origin === 'cache' || origin === 'download';
  const setAside = (path: string, error: DatasetError): DatasetError =>
    managed ? new DatasetError(`${error.message} It was moved to ${moveAside(path)} (kept, never deleted).`) : error;
  const files = await Promise.all(
    FASHION_MNIST_FILES.map(async (name) => {
      try {
        return await readIdxFile(pathOf(dir, name), { expect: name.includes('images') ? 'images' : 'labels', fix });
      } catch (error) {
        throw error instanceof DatasetError ? setAside(pathOf(dir, name), error) : error;
      }
    }),
  );
  const byName = Object.fromEntries(FASHION_MNIST_FILES.map((name, i) => [name, files[i]])) as Record<FashionMnistFile, IdxFile>;
  for (const name of FASHION_MNIST_FILES) {
    const actual = byName[name].sha256;
    if (actual !== expected[name]) {
      throw setAside(byName[name].path, new DatasetError(
        `fashionMnist: checksum mismatch for ${byName[name].path}: the sha256 of its decompressed bytes is ` +
          `${actual}, expected ${expected[name]}. The file is damaged or not the official Fashion-MNIST. ${fix}`,
      ));
    }
  }
  const trainImages = byName['train-images-idx3-ubyte'].tensor;
  const testImages = byName['t10k-images-idx3-ubyte'].tensor;
  const trainLabels = byName['train-labels-idx1-ubyte'].tensor;
  const testLabels = byName['t10k-labels-idx1-ubyte'].tensor;
  const [, rows, cols] = trainImages.dims;
  if (testImages.dims[1] !== rows || testImages.dims[2] !== cols) {
    throw new DatasetError(
      `fashionMnist: train images are ${rows}x${cols} but test images are ${testImages.dims[1]}x${testImages.dims[2]} in ${dir}. ${fix}`,
    );
  }
  for (const [images, labels] of [[trainImages, trainLabels], [testImages, testLabels]] as const) {
    if (images.dims[0] !== labels.dims[0]) {
      throw new DatasetError(
        `fashionMnist: ${dir} has ${images.dims[0]} images but ${labels.dims[0]} labels in one split. ${fix}`,
      );
    }
    const bad = labels.data.findIndex((label) => label >= FASHION_MNIST_CLASS_NAMES.length);
    if (bad >= 0) {
      throw new DatasetError(`fashionMnist: label ${labels.data[bad]} at index ${bad} in ${dir} is not a class 0..9. ${fix}`);
    }
  }
  return {
    dir,
    origin,
    paths: Object.fromEntries(FASHION_MNIST_FILES.map((name) => [name, byName[name].path])) as Record<FashionMnistFile, string>,
    sha256: Object.fromEntries(FASHION_MNIST_FILES.map((name) => [name, byName[name].sha256])) as Record<FashionMnistFile, string>,
    rows,
    cols,
    trainImages: trainImages.data,
    trainLabels: trainLabels.data,
    testImages: testImages.data,
    testLabels: testLabels.data,
  };
}

/** Options of {@link fashionMnist}: the registered split options plus where to find the files. */
export interface FashionMnistOptions extends DatasetSplitOptions {
  /** Where to find the files; not part of the dataset's identity (the verified hashes are). */
  readonly source?: FashionMnistSourceOptions;
}

/**
 * Fashion-MNIST as a sealed dataset spec ({@link sealDataset}): train and validation from a stratified, seeded split of
 * the 60,000 official training images, test = the 10,000 official test images, optionally a
 * `shift` split = the test images with a registered corruption, or once per registered corruption (`shift.corruptions`,
 * each image keeping its corruption in `Split.groups`). Features are the 28x28 pixels
 * (featureShape [28, 28]) after the registered preprocessing, fitted on train only.
 * The fingerprint covers the verified file hashes and `params`.
 *
 * @throws {InvalidInputError} (at once) for bad options; `load` throws {@link DatasetError} as
 *   {@link loadFashionMnistArrays} does.
 * @example
 * const data = fashionMnist({ validationSize: 10_000, splitSeed: 0, preprocessing: 'scale' });
 * const { train, validation, fingerprint } = await data.load(); // `.test` throws SealedSplitError: only the harness opens it
 */
export function fashionMnist(options: FashionMnistOptions): SealedDatasetSpec {
  checkDatasetSplitOptions('fashionMnist', options);
  if (options.validationSize >= 60_000) {
    throw new InvalidInputError(
      `fashionMnist: validationSize must leave training images out of the 60,000 official ones, got ${options.validationSize}.`,
    );
  }
  const { validationSize, splitSeed, preprocessing, shift } = options;
  const params = { validationSize, splitSeed, preprocessing, ...(shift ? { shift: shiftParams(shift) } : {}) };
  const trainCount = 60_000 - validationSize;
  const description =
    'Fashion-MNIST (Xiao et al. 2017; official IDX files, sha256-verified), 28x28 grayscale images of 10 clothing ' +
    `classes: ${fmt(trainCount)} train and ${fmt(validationSize)} validation images from a stratified split ` +
    `(seed ${splitSeed}) of the 60,000 official training images, the 10,000 official test images as the test split` +
    (shift ? `, and ${describeShiftSplit(shift)}` : '') +
    `; pixel values ${describePreprocessing(preprocessing)}.`;
  return sealDataset({
    id: 'fashion-mnist',
    description,
    params,
    hasShift: shift !== undefined,
    async load(): Promise<DatasetSplits> {
      const arrays = await loadFashionMnistArrays(options.source);
      const featureShape = [arrays.rows, arrays.cols];
      const table = (features: Uint8Array, labels: Uint8Array) =>
        tableSource({ featureShape, numClasses: FASHION_MNIST_CLASS_NAMES.length, features, labels });
      const testCount = arrays.testLabels.length;
      // The shift split: the test images once per registered corruption (one copy for the single form), labels repeated.
      const shifted = shift ? applyShiftPlan(arrays.testImages, { count: testCount, height: arrays.rows, width: arrays.cols, channels: 1 }, shift) : undefined;
      const shiftLabels = shifted ? new Uint8Array(shifted.images.length / (arrays.rows * arrays.cols)) : undefined;
      if (shiftLabels) for (let c = 0; c < shiftLabels.length; c += testCount) shiftLabels.set(arrays.testLabels, c);
      const splits = assembleSplits({
        pool: table(arrays.trainImages, arrays.trainLabels),
        test: table(arrays.testImages, arrays.testLabels),
        shift: shifted ? table(shifted.images, shiftLabels!) : undefined,
        ...(shifted?.groups ? { shiftGroups: { groups: shifted.groups, groupNames: shifted.groupNames! } } : {}),
        options,
      });
      return {
        ...splits,
        fingerprint: datasetFingerprint({ dataset: 'fashion-mnist', files: arrays.sha256, params }),
        classNames: FASHION_MNIST_CLASS_NAMES,
      };
    },
  });
}

function pathOf(dir: string, name: FashionMnistFile): string {
  const raw = join(dir, name);
  return existsSync(raw) ? raw : `${raw}.gz`;
}

function missingFiles(dir: string): string[] {
  return FASHION_MNIST_FILES.filter((name) => !existsSync(join(dir, name)) && !existsSync(join(dir, `${name}.gz`)));
}

function describeMissing(dir: string, missing: readonly string[]): string {
  if (!existsSync(dir)) return 'no such folder';
  return `lacks ${missing.join(', ')} (raw or .gz)`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
