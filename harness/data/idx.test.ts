import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { DatasetError, InvalidInputError } from '../errors.ts';
import { makeTempDir, randomBytes } from '../../fixtures/data/generate.ts';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, encodeIdx, parseIdx, readIdxFile } from './idx.ts';
import { errorOf } from '../../fixtures/testing.ts';

const tmp = makeTempDir('idx');
afterAll(() => tmp.remove());

const images = { dims: [3, 4, 5], data: randomBytes(60, 1) };
const labels = { dims: [3], data: Uint8Array.of(0, 9, 4) };


async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('IDX round trip', () => {
  test.each([
    ['raw', false],
    ['gzip', true],
  ])('%s files decode to the encoded values and hash the decompressed bytes', async (_label, gzip) => {
    const encoded = encodeIdx(images);
    const path = join(tmp.dir, `images-${gzip ? 'gz' : 'raw'}`);
    writeFileSync(path, gzip ? gzipSync(encoded) : encoded);
    const file = await readIdxFile(path, { expect: 'images' });
    expect(file.compressed).toBe(gzip);
    expect(file.tensor.magic).toBe(IDX_IMAGES_MAGIC);
    expect(file.tensor.dims).toEqual([3, 4, 5]);
    expect([...file.tensor.data]).toEqual([...images.data]);
    expect(file.sha256).toBe(createHash('sha256').update(encoded).digest('hex'));
  });

  test('labels use magic 0x00000801 and the header is big-endian', () => {
    const encoded = encodeIdx(labels);
    expect([...encoded.subarray(0, 8)]).toEqual([0, 0, 8, 1, 0, 0, 0, 3]);
    const parsed = parseIdx(encoded, { file: 'labels', expect: 'labels' });
    expect(parsed.magic).toBe(IDX_LABELS_MAGIC);
    expect([...parsed.data]).toEqual([0, 9, 4]);
  });

  test('encodeIdx rejects dims that do not match the data', () => {
    expect(() => encodeIdx({ dims: [2, 2], data: new Uint8Array(3) })).toThrow(InvalidInputError);
  });
});

describe('IDX errors name the file, the sizes and the fix', () => {
  test('a truncated raw file', async () => {
    const path = join(tmp.dir, 'truncated');
    writeFileSync(path, encodeIdx(images).subarray(0, 40));
    const error = await rejection(readIdxFile(path, { expect: 'images', fix: 'Reinstall it.' }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(path);
    expect(error.message).toContain('is truncated');
    expect(error.message).toContain('3 x 4 x 5');
    expect(error.message).toContain('76 bytes are expected');
    expect(error.message).toContain('it has 40');
    expect(error.message).toContain('Reinstall it.');
  });

  test('a truncated gzip file reports the expected and recovered sizes', async () => {
    const big = { dims: [50, 28, 28], data: randomBytes(50 * 784, 2) };
    const compressed = gzipSync(encodeIdx(big));
    const path = join(tmp.dir, 'truncated.gz');
    writeFileSync(path, compressed.subarray(0, Math.floor(compressed.length / 2)));
    const error = await rejection(readIdxFile(path, { expect: 'images' }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(path);
    expect(error.message).toContain('gzip stream ends early');
    expect(error.message).toContain(`${16 + 50 * 784} bytes are expected`);
  });

  test('trailing bytes are reported too', () => {
    const padded = new Uint8Array(encodeIdx(labels).length + 2);
    padded.set(encodeIdx(labels));
    expect(errorOf(() => parseIdx(padded, { file: 'padded' })).message).toContain('has trailing bytes');
  });

  test('a bad magic number', () => {
    const bytes = encodeIdx(labels);
    bytes[0] = 0x12;
    const error = errorOf(() => parseIdx(bytes, { file: 'bad-magic' }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toMatch(/bad-magic is not an IDX file: its magic number is 0x12000801/);
  });

  test('images and labels swapped', () => {
    const error = errorOf(() => parseIdx(encodeIdx(labels), { file: 'swapped', expect: 'images' }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('has magic number 0x00000801, but an IDX images file has 0x00000803');
  });

  test('a corrupt gzip stream', async () => {
    const compressed = gzipSync(encodeIdx(images));
    const corrupt = Uint8Array.from(compressed);
    for (let i = 10; i < corrupt.length - 8; i++) corrupt[i] ^= 0x5a;
    const path = join(tmp.dir, 'corrupt.gz');
    writeFileSync(path, corrupt);
    const error = await rejection(readIdxFile(path));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/cannot be decompressed|ends early/);
  });

  test('a damaged gzip trailer (CRC) is not accepted', async () => {
    const compressed = Uint8Array.from(gzipSync(encodeIdx(images)));
    compressed[compressed.length - 6] ^= 0xff;
    const path = join(tmp.dir, 'crc.gz');
    writeFileSync(path, compressed);
    const error = await rejection(readIdxFile(path));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('cannot be decompressed');
  });

  test('a missing file', async () => {
    const error = await rejection(readIdxFile(join(tmp.dir, 'nope')));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('cannot read');
  });

  test('an empty file', () => {
    expect(() => parseIdx(new Uint8Array(0), { file: 'empty' })).toThrow(DatasetError);
  });
});
