import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DatasetError, InvalidInputError } from '../errors.ts';
import { makeTempDir, writeFashionMnistFixture, type FashionMnistFixture } from '../../fixtures/data/generate.ts';
import { datasetFingerprint, datasetFingerprintInputs } from './fingerprint.ts';
import { fashionMnist, loadFashionMnistArrays, locateFashionMnist, type FashionMnistSourceOptions } from './fashionMnist.ts';
import { rejection } from '../../fixtures/testing.ts';
import { openDataset } from './sealedDataset.ts';
import { applyShift, shiftCorruptions } from './shift.ts';

const tmp = makeTempDir('fashion');
let gz: FashionMnistFixture;
let raw: FashionMnistFixture;
const emptyDir = join(tmp.dir, 'empty');

beforeAll(() => {
  mkdirSync(join(tmp.dir, 'gz'));
  mkdirSync(join(tmp.dir, 'raw'));
  mkdirSync(emptyDir);
  gz = writeFashionMnistFixture(join(tmp.dir, 'gz'), { trainCount: 200, testCount: 40, gzip: true, seed: 11 });
  raw = writeFashionMnistFixture(join(tmp.dir, 'raw'), { trainCount: 100, testCount: 20, gzip: false, seed: 12, rows: 6, cols: 5 });
});
afterAll(() => tmp.remove());

/** Look only at the fixture folder, never at the environment, the system or the network. */
function only(fixture: FashionMnistFixture, extra: Partial<FashionMnistSourceOptions> = {}): FashionMnistSourceOptions {
  return { env: {}, searchDirs: [fixture.dir], cacheDir: emptyDir, download: false, expectedSha256: fixture.sha256, ...extra };
}


describe('fashionMnist on a generated fixture', () => {
  test('loads train/validation from the training files and test from t10k, scaled, with the test labels on shift', async () => {
    const spec = fashionMnist({
      validationSize: 50,
      splitSeed: 3,
      preprocessing: 'scale',
      shift: { kind: 'gaussian-noise', severity: 2, seed: 1 },
      source: only(gz),
    });
    expect(spec.hasShift).toBe(true);
    expect(spec.params).toEqual({ validationSize: 50, splitSeed: 3, preprocessing: 'scale', shift: { kind: 'gaussian-noise', severity: 2, seed: 1 } });
    const data = await openDataset(spec);
    expect([data.train.count, data.validation.count, data.test.count, data.shift?.count]).toEqual([150, 50, 40, 40]);
    expect(data.train.featureShape).toEqual([28, 28]);
    expect(data.classNames).toHaveLength(10);
    // Balanced fixture: 20 per class, so exactly 5 per class in validation.
    const perClass = new Array(10).fill(0);
    for (const label of data.validation.labels) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(5));
    // Test is the t10k file in order, divided by 255.
    expect(data.test.labels).toEqual(gz.testLabels);
    expect(data.test.features[784 * 7 + 100]).toBe(Math.fround(gz.testImages[784 * 7 + 100] / 255));
    expect(data.shift?.labels).toEqual(data.test.labels);
    expect(data.shift?.features).not.toEqual(data.test.features);
    // Train rows come from the training file.
    const firstTrainRow = Array.from(data.train.features.subarray(0, 784), (v) => Math.round(v * 255));
    const candidates = Array.from({ length: 200 }, (_, i) => Array.from(gz.trainImages.subarray(i * 784, (i + 1) * 784)));
    expect(candidates.some((row) => row.every((v, j) => v === firstTrainRow[j]))).toBe(true);
  });

  test('raw (uncompressed) files work too, and the image size comes from the header', async () => {
    const data = await openDataset(fashionMnist({ validationSize: 10, splitSeed: 0, preprocessing: 'standardize-global', source: only(raw) }));
    expect([data.train.count, data.validation.count, data.test.count]).toEqual([90, 10, 20]);
    expect(data.test.featureShape).toEqual([6, 5]);
    expect(data.shift).toBeUndefined();
  });

  test('the fingerprint covers the verified hashes and the params, and nothing else', async () => {
    const base = { validationSize: 50, splitSeed: 3, preprocessing: 'scale' } as const;
    const a = await openDataset(fashionMnist({ ...base, source: only(gz) }));
    const b = await openDataset(fashionMnist({ ...base, source: only(gz, { cacheDir: tmp.dir }) }));
    const c = await openDataset(fashionMnist({ ...base, splitSeed: 4, source: only(gz) }));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(c.validation.features).not.toEqual(a.validation.features);
    expect(a.fingerprint).toBe(datasetFingerprint({ dataset: 'fashion-mnist', files: gz.sha256, params: { ...base } }));
    expect(datasetFingerprintInputs({ dataset: 'fashion-mnist', files: gz.sha256, params: { ...base } })).toContain('"preprocessing":"scale"');
  });

  test('decoded arrays are cached in-process', async () => {
    const first = await loadFashionMnistArrays(only(gz));
    const second = await loadFashionMnistArrays(only(gz));
    expect(second.trainImages).toBe(first.trainImages);
  });

  test('a checksum mismatch names the file, both hashes and the fix', async () => {
    const wrong = { ...gz.sha256, 't10k-labels-idx1-ubyte': '0'.repeat(64) };
    const error = await rejection(loadFashionMnistArrays(only(gz, { expectedSha256: wrong })));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(join(gz.dir, 't10k-labels-idx1-ubyte.gz'));
    expect(error.message).toContain(gz.sha256['t10k-labels-idx1-ubyte']);
    expect(error.message).toContain('0'.repeat(64));
    expect(error.message).toContain('apt-get install --reinstall dataset-fashion-mnist');
    expect(error.message).toContain('FASHION_MNIST_DIR');
  });

  test('the real checksums are the default: the fixture fails verification without its own table', async () => {
    const error = await rejection(loadFashionMnistArrays({ ...only(gz), expectedSha256: undefined }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888');
  });

  test('bad options throw InvalidInputError before anything is read', () => {
    expect(() => fashionMnist({ validationSize: 0, splitSeed: 0, preprocessing: 'scale' })).toThrow(InvalidInputError);
    expect(() => fashionMnist({ validationSize: 60_000, splitSeed: 0, preprocessing: 'scale' })).toThrow(InvalidInputError);
    expect(() => fashionMnist({ validationSize: 10, splitSeed: 0, preprocessing: 'whiten' as never })).toThrow(InvalidInputError);
    expect(() =>
      fashionMnist({ validationSize: 10, splitSeed: 0, preprocessing: 'scale', shift: { kind: 'contrast', severity: 0, seed: 1 } }),
    ).toThrow(InvalidInputError);
  });

  test('the description states source, sizes and preprocessing in one sentence', () => {
    const spec = fashionMnist({ validationSize: 10_000, splitSeed: 0, preprocessing: 'standardize-per-feature' });
    expect(spec.description).toContain('50,000 train and 10,000 validation');
    expect(spec.description).toContain('10,000 official test images');
    expect(spec.description).toContain('standardized per feature with training-split means');
    expect(spec.description.match(/\./g)?.length).toBe(2); // "et al." and the final full stop
  });
});

describe('locateFashionMnist', () => {
  test('FASHION_MNIST_DIR comes first and is the only place looked at when set', async () => {
    await expect(locateFashionMnist({ env: { FASHION_MNIST_DIR: raw.dir }, searchDirs: [gz.dir] })).resolves.toEqual({
      dir: raw.dir,
      origin: 'FASHION_MNIST_DIR',
    });
    const error = await rejection(locateFashionMnist({ env: { FASHION_MNIST_DIR: emptyDir }, searchDirs: [gz.dir] }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(`FASHION_MNIST_DIR is set to ${emptyDir}`);
    expect(error.message).toContain('train-images-idx3-ubyte');
  });

  test('search dirs are tried in order, then the cache', async () => {
    await expect(locateFashionMnist({ env: {}, searchDirs: [emptyDir, raw.dir, gz.dir], download: false })).resolves.toEqual({
      dir: raw.dir,
      origin: 'search',
    });
    await expect(locateFashionMnist({ env: {}, searchDirs: [emptyDir], cacheDir: gz.dir, download: false })).resolves.toEqual({
      dir: gz.dir,
      origin: 'cache',
    });
  });

  test('when nothing works, the error lists every place tried and how to fix it', async () => {
    const missing = join(tmp.dir, 'no-such-folder');
    const error = await rejection(locateFashionMnist({ env: {}, searchDirs: [missing, emptyDir], cacheDir: join(tmp.dir, 'cache'), download: false }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toMatch(/1\. FASHION_MNIST_DIR: not set/);
    expect(error.message).toContain(`2. ${missing}: no such folder`);
    expect(error.message).toContain(`3. ${emptyDir}: lacks train-images-idx3-ubyte`);
    expect(error.message).toContain('4. cache');
    expect(error.message).toContain('5. apt-get download: disabled');
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain('https://github.com/zalandoresearch/fashion-mnist');
  });
});

describe('fashionMnist with a registered list of corruptions (issue 13)', () => {
  const plan = { corruptions: [{ kind: 'gaussian-blur', severity: 3 }, { kind: 'rotate', severity: 2 }], seed: 9 } as const;

  test('the shift split holds the test images once per corruption, each example with its corruption; train, validation and test are untouched', async () => {
    const base = { validationSize: 50, splitSeed: 3, preprocessing: 'scale' as const, source: only(gz) };
    const spec = fashionMnist({ ...base, shift: plan });
    expect(spec.params).toEqual({ validationSize: 50, splitSeed: 3, preprocessing: 'scale', shift: { corruptions: [{ kind: 'gaussian-blur', severity: 3 }, { kind: 'rotate', severity: 2 }], seed: 9 } });
    expect(spec.description).toContain('the test images once per registered corruption (2 copies, seed 9; gaussian-blur-3: Gaussian blur');
    const data = await openDataset(spec);
    const plain = await openDataset(fashionMnist(base));
    // Never applied to train or validation (nor test): the same bytes as without a shift split.
    expect(data.train.features).toEqual(plain.train.features);
    expect(data.validation.features).toEqual(plain.validation.features);
    expect(data.test.features).toEqual(plain.test.features);
    expect(data.train.groups).toBeUndefined();
    expect(data.validation.groups).toBeUndefined();
    const shift = data.shift!;
    expect(shift.count).toBe(80);
    expect(shift.groupNames).toEqual(['gaussian-blur-3', 'rotate-2']);
    expect(Array.from(shift.groups!)).toEqual([...new Array(40).fill(0), ...new Array(40).fill(1)]);
    expect(Array.from(shift.labels)).toEqual([...gz.testLabels, ...gz.testLabels]);
    const layout = { count: 40, height: 28, width: 28, channels: 1 };
    shiftCorruptions(plan).forEach((c, g) => {
      const expected = Float32Array.from(applyShift(gz.testImages, layout, c.spec), (v) => v / 255);
      expect(shift.features.subarray(g * 40 * 784, (g + 1) * 40 * 784)).toEqual(expected);
    });
    // Deterministic: the same registration gives the same split and fingerprint.
    const again = await openDataset(fashionMnist({ ...base, shift: plan }));
    expect(again.shift!.features).toEqual(shift.features);
    expect(again.fingerprint).toBe(data.fingerprint);
    expect(data.fingerprint).not.toBe(plain.fingerprint);
  });

  test('the single form keeps its params, and so its fingerprint', async () => {
    const single = { kind: 'gaussian-noise', severity: 2, seed: 1 } as const;
    const spec = fashionMnist({ validationSize: 50, splitSeed: 3, preprocessing: 'scale', shift: single, source: only(gz) });
    const data = await openDataset(spec);
    expect(data.fingerprint).toBe(datasetFingerprint({ dataset: 'fashion-mnist', files: gz.sha256, params: { validationSize: 50, splitSeed: 3, preprocessing: 'scale', shift: { kind: 'gaussian-noise', severity: 2, seed: 1 } } }));
    expect(data.shift!.groups).toBeUndefined();
  });
});
