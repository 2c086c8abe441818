import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DatasetError, InvalidInputError } from '../errors.ts';
import { makeTempDir, writeCifar10Fixture, type Cifar10Fixture } from '../../fixtures/data/generate.ts';
import { rejection } from '../../fixtures/testing.ts';
import { openDataset } from './sealedDataset.ts';
import {
  CIFAR10_RECORD_BYTES, cifar10Patches, loadCifar10Arrays, patchPositions, readCifar10Batch, type Cifar10PatchOptions,
} from './cifar10.ts';

const tmp = makeTempDir('cifar');
const batches = join(tmp.dir, 'cifar-10-batches-bin');
let fixture: Cifar10Fixture;

beforeAll(() => {
  mkdirSync(batches);
  fixture = writeCifar10Fixture(batches, { perBatch: 20, testCount: 30, seed: 21 });
});
afterAll(() => tmp.remove());

const base: Cifar10PatchOptions = {
  patchSize: 4,
  colour: 'rgb',
  position: 'center',
  validationSize: 20,
  splitSeed: 0,
  preprocessing: 'scale',
};

/** Value of channel c at (row, col) of image i, in the fixture's channel-major layout. */
function pixel(images: Uint8Array, i: number, c: number, row: number, col: number): number {
  return images[i * 3072 + c * 1024 + row * 32 + col];
}


describe('CIFAR-10 binary loader', () => {
  test('reads records as 1 label byte + 3072 channel-major pixels and concatenates the batches in order', async () => {
    const arrays = await loadCifar10Arrays({ dir: batches });
    // Byte comparison through Buffer: Vitest's deep equality is slow on large typed arrays.
    expect(Buffer.from(arrays.trainLabels).equals(fixture.trainLabels)).toBe(true);
    expect(Buffer.from(arrays.trainImages).equals(fixture.trainImages)).toBe(true);
    expect(Buffer.from(arrays.testImages).equals(fixture.testImages)).toBe(true);
    expect(Buffer.from(arrays.testLabels).equals(fixture.testLabels)).toBe(true);
    expect(Object.keys(arrays.sha256)).toHaveLength(6);
    const batch = await readCifar10Batch(join(batches, 'data_batch_2.bin'));
    expect(batch.count).toBe(20);
    expect(batch.labels[0]).toBe(fixture.trainLabels[20]);
  });

  test('finds the files through CIFAR10_DIR, also when it names the parent of cifar-10-batches-bin', async () => {
    const arrays = await loadCifar10Arrays({ env: { CIFAR10_DIR: tmp.dir } });
    expect(arrays.dir).toBe(batches);
  });

  test('missing CIFAR10_DIR says where to get the binary version', async () => {
    const error = await rejection(loadCifar10Arrays({ env: {} }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('CIFAR10_DIR is not set');
    expect(error.message).toContain('CIFAR-10 binary version');
    expect(error.message).toContain('https://www.cs.toronto.edu/~kriz/cifar.html');
  });

  test('a folder without the files lists what is missing', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    const error = await rejection(loadCifar10Arrays({ env: { CIFAR10_DIR: empty } }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('lacks data_batch_1.bin, data_batch_2.bin');
    expect(error.message).toContain('set CIFAR10_DIR');
  });

  test('a file whose size is not a multiple of 3073 is rejected', async () => {
    const path = join(tmp.dir, 'short.bin');
    writeFileSync(path, new Uint8Array(2 * CIFAR10_RECORD_BYTES - 5));
    const error = await rejection(readCifar10Batch(path));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`${2 * CIFAR10_RECORD_BYTES - 5} bytes`);
    expect(error.message).toContain('multiple of the 3073-byte record');
  });

  test('a label above 9 is rejected', async () => {
    const path = join(tmp.dir, 'label.bin');
    const bytes = new Uint8Array(CIFAR10_RECORD_BYTES);
    bytes[0] = 42;
    writeFileSync(path, bytes);
    await expect(readCifar10Batch(path)).rejects.toThrow(/label 42/);
  });
});

describe('cifar10Patches', () => {
  test('rgb centre patches hold the known pixels, channels last, divided by 255', async () => {
    const data = await openDataset(cifar10Patches({ ...base, source: { dir: batches } }));
    expect([data.train.count, data.validation.count, data.test.count]).toEqual([80, 20, 30]);
    expect(data.test.featureShape).toEqual([4, 4, 3]);
    expect(data.test.labels).toEqual(fixture.testLabels);
    // Test image 5, patch row 1, column 2, green: source pixel (14 + 1, 14 + 2) of plane G.
    const offset = 5 * 48 + (1 * 4 + 2) * 3 + 1;
    expect(data.test.features[offset]).toBe(Math.fround(pixel(fixture.testImages, 5, 1, 15, 16) / 255));
  });

  test('grayscale uses the BT.601 luma 0.299 R + 0.587 G + 0.114 B', async () => {
    const data = await openDataset(cifar10Patches({ ...base, colour: 'grayscale', source: { dir: batches } }));
    expect(data.test.featureShape).toEqual([4, 4]);
    const [r, g, b] = [0, 1, 2].map((c) => pixel(fixture.testImages, 3, c, 14 + 2, 14 + 3));
    expect(data.test.features[3 * 16 + 2 * 4 + 3]).toBeCloseTo((0.299 * r + 0.587 * g + 0.114 * b) / 255, 6);
  });

  test('random positions are seeded: train images draw first, then test, from seedrandom(String(patchSeed))', async () => {
    const options = { ...base, patchSize: 3, position: 'random', patchSeed: 5, source: { dir: batches } } as const;
    const a = await openDataset(cifar10Patches(options));
    const again = await openDataset(cifar10Patches(options));
    const other = await openDataset(cifar10Patches({ ...options, patchSeed: 6 }));
    expect(again.test.features).toEqual(a.test.features);
    expect(other.test.features).not.toEqual(a.test.features);
    const rng = seedrandom('5');
    patchPositions(100, { patchSize: 3, position: 'random', rng });
    const test = patchPositions(30, { patchSize: 3, position: 'random', rng });
    for (const i of [0, 17, 29]) {
      const [top, left] = [test.top[i], test.left[i]];
      expect(top).toBeLessThanOrEqual(29);
      expect(a.test.features[i * 27 + (2 * 3 + 1) * 3 + 2]).toBe(Math.fround(pixel(fixture.testImages, i, 2, top + 2, left + 1) / 255));
    }
  });

  test('the shift split corrupts the test images and keeps their labels and patch positions', async () => {
    const data = await openDataset(cifar10Patches({ ...base, shift: { kind: 'contrast', severity: 5, seed: 0 }, source: { dir: batches } }));
    expect(data.shift?.labels).toEqual(data.test.labels);
    expect(data.shift?.count).toBe(30);
    expect(data.shift?.features).not.toEqual(data.test.features);
  });

  test('standardisation is fitted on the training patches and the fingerprint follows the params', async () => {
    const a = await openDataset(cifar10Patches({ ...base, preprocessing: 'standardize-per-feature', source: { dir: batches } }));
    const b = await openDataset(cifar10Patches({ ...base, preprocessing: 'standardize-per-feature', splitSeed: 1, source: { dir: batches } }));
    const trainMean = a.train.features.reduce((s, v) => s + v, 0) / a.train.features.length;
    expect(Math.abs(trainMean)).toBeLessThan(1e-5);
    expect(b.fingerprint).not.toBe(a.fingerprint);
  });

  test('bad options throw InvalidInputError', () => {
    expect(() => cifar10Patches({ ...base, patchSize: 33 })).toThrow(InvalidInputError);
    expect(() => cifar10Patches({ ...base, colour: 'hsv' as never })).toThrow(InvalidInputError);
    expect(() => cifar10Patches({ ...base, position: 'random' })).toThrow(/needs patchSeed/);
    expect(() => cifar10Patches({ ...base, patchSeed: 1 })).toThrow(InvalidInputError);
    expect(() => cifar10Patches({ ...base, validationSize: 50_000 })).toThrow(InvalidInputError);
  });

  test('the description names the patch, the luma weights and the sizes', () => {
    const spec = cifar10Patches({ ...base, colour: 'grayscale', validationSize: 5_000 });
    expect(spec.description).toContain('4x4 grayscale (ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B) patches');
    expect(spec.description).toContain('45,000 train and 5,000 validation');
  });
});
