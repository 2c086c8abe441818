/**
 * Reader and writer for the IDX format of LeCun et al. (MNIST) and Xiao et al. (Fashion-MNIST):
 * a 4-byte magic number `0x00 0x00 <type> <ndims>`, `ndims` big-endian uint32 dimensions, then
 * the values in row-major order. Only the unsigned-byte type (0x08) is supported, which is what
 * both datasets use: `0x00000803` for images (count, rows, cols), `0x00000801` for labels (count).
 * Files may be gzip-compressed; compression is recognised by the gzip magic bytes, not the name.
 *
 * Reference: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { constants as zlibConstants, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DatasetError, InvalidInputError } from '../errors.ts';

const gunzipAsync = promisify(gunzip);

/** Magic number of an IDX file of unsigned-byte images: 3 dimensions (count, rows, cols). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned-byte labels: 1 dimension (count). */
export const IDX_LABELS_MAGIC = 0x00000801;

const UNSIGNED_BYTE_TYPE = 0x08;
const DEFAULT_FIX = 'Copy or download the file again (a partial download or a full disk cuts files short).';

/** What an IDX file holds: its dimensions and the values, row-major. */
export interface IdxTensor {
  /** The magic number read from the header, e.g. {@link IDX_IMAGES_MAGIC}. */
  readonly magic: number;
  /** Dimensions from the header, outermost first: `[count, rows, cols]` for images. */
  readonly dims: readonly number[];
  /** `dims` multiplied out values; a view into the decompressed file (no copy). */
  readonly data: Uint8Array;
}

/** Which kind of IDX file the caller expects; checked against the magic number. */
export type IdxKind = 'images' | 'labels';

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Name or path of the file, used in error messages. */
  readonly file: string;
  /** If set, the magic number must be {@link IDX_IMAGES_MAGIC} or {@link IDX_LABELS_MAGIC}. */
  readonly expect?: IdxKind;
  /** How to fix a bad file, appended to error messages. Default: copy or download it again. */
  readonly fix?: string;
}

/**
 * Parses the (decompressed) bytes of an IDX file and checks the header against the byte length.
 *
 * @throws {DatasetError} when the header is malformed, the magic number is not the expected one,
 *   or the byte length differs from what the header declares (truncated or padded file);
 *   the message names the file, the expected and actual sizes, and the fix.
 * @example
 * const { dims, data } = parseIdx(bytes, { file: 't10k-labels-idx1-ubyte', expect: 'labels' });
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions): IdxTensor {
  const { file } = options;
  const fix = options.fix ?? DEFAULT_FIX;
  if (bytes.length < 4) {
    throw new DatasetError(
      `parseIdx: ${file} has ${bytes.length} bytes, too few for an IDX header (at least 4 expected). ${fix}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const typeCode = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || ndims === 0) {
    throw new DatasetError(
      `parseIdx: ${file} is not an IDX file: its magic number is ${hex(magic)}, expected ` +
        `0x000008NN (NN = number of dimensions). Check that the path names the right file. ${fix}`,
    );
  }
  if (options.expect !== undefined) {
    const wanted = options.expect === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
    if (magic !== wanted) {
      throw new DatasetError(
        `parseIdx: ${file} has magic number ${hex(magic)}, but an IDX ${options.expect} file has ${hex(wanted)}. ` +
          `Check that the path names the ${options.expect} file (images and labels may be swapped). ${fix}`,
      );
    }
  }
  if (typeCode !== UNSIGNED_BYTE_TYPE) {
    throw new DatasetError(
      `parseIdx: ${file} stores IDX type 0x${typeCode.toString(16).padStart(2, '0')}; only unsigned bytes (0x08) ` +
        `are supported, as used by MNIST and Fashion-MNIST. Convert the file or use the official one.`,
    );
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new DatasetError(
      `parseIdx: ${file} is truncated inside its header: ${headerLength} header bytes expected for ${ndims} ` +
        `dimensions, but the file has ${bytes.length}. ${fix}`,
    );
  }
  const dims: number[] = [];
  let valueCount = 1;
  for (let axis = 0; axis < ndims; axis++) {
    const size = view.getUint32(4 + 4 * axis, false);
    dims.push(size);
    valueCount *= size;
  }
  const expectedLength = headerLength + valueCount;
  if (bytes.length !== expectedLength) {
    const problem = bytes.length < expectedLength ? 'is truncated' : 'has trailing bytes';
    throw new DatasetError(
      `parseIdx: ${file} ${problem}: its header declares ${dims.join(' x ')} unsigned bytes, so ` +
        `${expectedLength} bytes are expected (decompressed), but it has ${bytes.length}. ${fix}`,
    );
  }
  return { magic, dims, data: bytes.subarray(headerLength) };
}

/** Options of {@link decompressIdx}. */
export interface DecompressIdxOptions {
  /** Name or path of the file, used in error messages. */
  readonly file: string;
  /** How to fix a bad file, appended to error messages. */
  readonly fix?: string;
}

/**
 * Returns the IDX bytes of a file's contents: gunzipped when they start with the gzip magic
 * bytes (0x1f 0x8b), unchanged otherwise.
 *
 * @throws {DatasetError} when a gzip stream is corrupt or cut short; for a stream cut short whose
 *   IDX header survives, the message gives the expected and recovered decompressed sizes.
 * @example
 * const { bytes, compressed } = await decompressIdx(await readFile(path), { file: path });
 */
export async function decompressIdx(
  raw: Uint8Array,
  options: DecompressIdxOptions,
): Promise<{ bytes: Uint8Array; compressed: boolean }> {
  if (!(raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)) return { bytes: raw, compressed: false };
  const fix = options.fix ?? DEFAULT_FIX;
  try {
    const bytes = await gunzipAsync(raw);
    return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), compressed: true };
  } catch (strictError) {
    // Decompress what can be recovered, so a stream cut short is reported as truncation with sizes.
    let recovered: Uint8Array | undefined;
    try {
      recovered = await gunzipAsync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      recovered = undefined;
    }
    const reason = (strictError as Error).message;
    if (recovered !== undefined && recovered.length > 0) {
      // parseIdx throws the truncation message (expected vs actual size) when the header survived.
      parseIdx(recovered, { file: `${options.file} (gzip stream ends early: ${reason})`, fix });
    }
    throw new DatasetError(
      `decompressIdx: ${options.file} starts like a gzip file but cannot be decompressed (zlib: ${reason}); ` +
        `it is corrupt or truncated (${raw.length} compressed bytes). ${fix}`,
    );
  }
}

/** What {@link readIdxFile} returns. */
export interface IdxFile {
  readonly path: string;
  readonly tensor: IdxTensor;
  /** sha256 (hex) of the decompressed bytes, the identity that survives recompression. */
  readonly sha256: string;
  readonly compressed: boolean;
}

/**
 * Reads, decompresses if needed, hashes and parses one IDX file.
 *
 * @throws {DatasetError} when the file is missing or unreadable, or as {@link decompressIdx} and
 *   {@link parseIdx} do.
 * @example
 * const labels = await readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz', { expect: 'labels' });
 */
export async function readIdxFile(
  path: string,
  options: { readonly expect?: IdxKind; readonly fix?: string } = {},
): Promise<IdxFile> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    throw new DatasetError(
      `readIdxFile: cannot read ${path} (${(error as Error).message}). ${options.fix ?? DEFAULT_FIX}`,
    );
  }
  const { bytes, compressed } = await decompressIdx(raw, { file: path, fix: options.fix });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const tensor = parseIdx(bytes, { file: path, expect: options.expect, fix: options.fix });
  return { path, tensor, sha256, compressed };
}

/**
 * Encodes unsigned bytes as an IDX file (uncompressed); the inverse of {@link parseIdx}.
 * Used to write fixtures and derived datasets.
 *
 * @throws {InvalidInputError} when `dims` is empty, has non-integer or negative sizes, more than
 *   255 axes, or does not multiply out to `data.length`.
 * @example
 * const bytes = encodeIdx({ dims: [2], data: Uint8Array.of(3, 7) }); // a labels file
 */
export function encodeIdx(tensor: { readonly dims: readonly number[]; readonly data: Uint8Array }): Uint8Array {
  const { dims, data } = tensor;
  if (dims.length === 0 || dims.length > 255) {
    throw new InvalidInputError(`encodeIdx: dims must have 1 to 255 axes, got ${dims.length}.`);
  }
  let valueCount = 1;
  for (const size of dims) {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new InvalidInputError(`encodeIdx: every dimension must be an integer in [0, 2^32), got ${size}.`);
    }
    valueCount *= size;
  }
  if (valueCount !== data.length) {
    throw new InvalidInputError(
      `encodeIdx: dims ${dims.join(' x ')} hold ${valueCount} values but data has ${data.length}.`,
    );
  }
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UNSIGNED_BYTE_TYPE << 8) | dims.length, false);
  dims.forEach((size, axis) => view.setUint32(4 + 4 * axis, size, false));
  out.set(data, headerLength);
  return out;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
