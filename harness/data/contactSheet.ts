/**
 * A contact sheet of distribution shifts: a grid with the original images in the first row and, below, the
 * same images under each registered corruption, one row per corruption, labelled with {@link describeShift}.
 * It shows a reviewer what the shift split looks like before the lock. Pure: bytes in, an SVG string out (each
 * row is one embedded grayscale or RGB PNG, drawn pixelated); `bench/contactSheet.ts` writes it to a file.
 * Meant for validation images: the sealed test images are never shown to people before the lock either.
 */
import { deflateSync } from 'node:zlib';
import { InvalidInputError } from '../errors.ts';
import { applyShift, checkShiftSpec, describeShift, type ImageLayout, type ShiftSpec } from './shift.ts';

/** Options of {@link contactSheetSvg}. */
export interface ContactSheetOptions {
  /** The images to show, channel-major (channels, height, width) as {@link applyShift} takes them. */
  readonly images: Uint8Array;
  /** Their layout; `count` images are shown per row (at most 32). */
  readonly layout: ImageLayout;
  /** One row per corruption, in this order. */
  readonly shifts: readonly ShiftSpec[];
  /** Screen pixels per image pixel (an integer from 1 to 16). */
  readonly scale: number;
  /** A heading above the grid. */
  readonly title: string;
}

/**
 * Renders the contact sheet as a standalone SVG document. The output depends only on the inputs (no dates),
 * so a committed sheet changes only when the images or the shifts do.
 *
 * @throws {InvalidInputError} for a bad layout, scale, more than 32 images per row, no shifts, or an invalid
 *   shift spec.
 * @example
 * const svg = contactSheetSvg({ images, layout: { count: 8, height: 28, width: 28, channels: 1 },
 *   shifts: [{ kind: 'rotate', severity: 3, seed: 1 }], scale: 3, title: 'Fashion-MNIST validation images' });
 */
export function contactSheetSvg(options: ContactSheetOptions): string {
  const { images, layout, shifts, scale, title } = options;
  const api = 'contactSheetSvg';
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new InvalidInputError(`${api}: scale must be an integer from 1 to 16, got ${scale}.`);
  if (!Array.isArray(shifts) || shifts.length === 0) throw new InvalidInputError(`${api}: pass at least one shift to show.`);
  for (const shift of shifts) checkShiftSpec(api, shift);
  const { count, height, width, channels } = layout;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new InvalidInputError(`${api}: layout.count must be an integer from 1 to 32 (images per row), got ${count}.`);
  if (channels !== 1 && channels !== 3) throw new InvalidInputError(`${api}: layout.channels must be 1 or 3, got ${channels}.`);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new InvalidInputError(`${api}: layout.height and layout.width must be positive integers, got ${height} x ${width}.`);
  }
  if (!(images instanceof Uint8Array) || images.length !== count * channels * height * width) {
    throw new InvalidInputError(`${api}: ${count} images of ${channels} x ${height} x ${width} need ${count * channels * height * width} bytes, got ${images?.length}. Fix: pass exactly the images to show.`);
  }
  const rows: { label: string; images: Uint8Array }[] = [{ label: 'original', images }];
  for (const shift of shifts) rows.push({ label: `${shift.kind}: ${describeShift(shift)}`, images: applyShift(images, layout, shift) });

  const gap = 2;
  const labelHeight = 16;
  const margin = 8;
  const titleHeight = 22;
  const rowWidth = count * width + (count - 1) * gap;
  // Room for the longest label too (about 6.2 px per character of 11 px sans-serif).
  const labelWidth = Math.max(...rows.map((row) => row.label.length), title.length * 1.3) * 6.2;
  const svgWidth = Math.ceil(Math.max(rowWidth * scale, labelWidth) + 2 * margin);
  const rowStride = labelHeight + height * scale + 8;
  const svgHeight = margin + titleHeight + rows.length * rowStride + margin;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${svgWidth} ${svgHeight}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${margin}" y="${margin + 14}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  rows.forEach((row, r) => {
    const top = margin + titleHeight + r * rowStride;
    const png = encodePng(stripOfImages(row.images, layout, gap), rowWidth, height, channels);
    parts.push(
      `<text x="${margin}" y="${top + 12}" font-size="11">${escapeXml(row.label)}</text>`,
      `<image x="${margin}" y="${top + labelHeight}" width="${rowWidth * scale}" height="${height * scale}" style="image-rendering:pixelated" preserveAspectRatio="none" href="data:image/png;base64,${Buffer.from(png).toString('base64')}"/>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Lays `layout.count` channel-major images side by side into one interleaved (height, stripWidth, channels)
 * strip, `gap` white columns between images.
 */
function stripOfImages(images: Uint8Array, layout: ImageLayout, gap: number): Uint8Array {
  const { count, height, width, channels } = layout;
  const stripWidth = count * width + (count - 1) * gap;
  const strip = new Uint8Array(height * stripWidth * channels).fill(255);
  const plane = height * width;
  for (let i = 0; i < count; i++) {
    const left = i * (width + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          strip[(y * stripWidth + left + x) * channels + c] = images[i * channels * plane + c * plane + y * width + x];
        }
      }
    }
  }
  return strip;
}

/**
 * Encodes 8-bit pixels, interleaved row-major (height, width, channels), as a PNG file: grayscale for one
 * channel, RGB for three; no filtering, zlib-compressed (PNG specification, ISO/IEC 15948).
 *
 * @throws {InvalidInputError} when the pixel count does not match or channels is not 1 or 3.
 * @example
 * encodePng(new Uint8Array([0, 255, 255, 0]), 2, 2, 1) // a 2 x 2 checkerboard
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  if (channels !== 1 && channels !== 3) throw new InvalidInputError(`encodePng: channels must be 1 or 3, got ${channels}.`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height * channels) {
    throw new InvalidInputError(`encodePng: ${pixels.length} bytes do not make a ${width} x ${height} image of ${channels} channel(s).`);
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // filter byte 0: none
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type: grayscale or RGB
  const file = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(file.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of file) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks use it. */
function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
