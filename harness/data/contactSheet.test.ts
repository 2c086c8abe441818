import { inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { randomBytes } from '../../fixtures/data/generate.ts';
import { InvalidInputError } from '../errors.ts';
import { contactSheetSvg, encodePng } from './contactSheet.ts';
import { applyShift, type ShiftSpec } from './shift.ts';

/** Decodes what encodePng writes (8-bit, no filtering): checks the signature and every chunk's CRC. */
function decodePng(png: Uint8Array): { width: number; height: number; colourType: number; pixels: Uint8Array } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = view.getUint32(offset + 8 + length);
    expect(crc).toBe(referenceCrc(png.subarray(offset + 4, offset + 8 + length)));
    types.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      expect(data[8]).toBe(8);
      colourType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const channels = colourType === 0 ? 1 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, colourType, pixels };
}

/** Bitwise CRC-32 (no table), independent of the implementation under test. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function embeddedPngs(svg: string): Uint8Array[] {
  return [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => new Uint8Array(Buffer.from(m[1], 'base64')));
}

describe('contact sheet of the shifts', () => {
  const layout = { count: 4, height: 6, width: 5, channels: 1 };
  const images = randomBytes(4 * 30, 2);
  const shifts: ShiftSpec[] = [
    { kind: 'gaussian-blur', severity: 2, seed: 0 },
    { kind: 'rotate', severity: 4, seed: 7 },
  ];

  test('one labelled row for the originals and one per shift, each holding exactly those images side by side', () => {
    const svg = contactSheetSvg({ images, layout, shifts, scale: 3, title: 'Fixture <validation> images' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Fixture &lt;validation&gt; images');
    expect(svg).toContain('>original</text>');
    expect(svg).toContain('gaussian-blur: Gaussian blur with sigma = 0.6 pixels');
    expect(svg).toContain('rotate: each image rotated by 40 degrees');
    const rows = embeddedPngs(svg).map(decodePng);
    expect(rows).toHaveLength(3);
    const expected = [images, ...shifts.map((s) => applyShift(images, layout, s))];
    rows.forEach((row, r) => {
      expect(row.width).toBe(4 * 5 + 3 * 2);
      expect(row.height).toBe(6);
      expect(row.colourType).toBe(0);
      for (let i = 0; i < 4; i++) {
        for (let y = 0; y < 6; y++) {
          const shown = Array.from(row.pixels.subarray(y * row.width + i * 7, y * row.width + i * 7 + 5));
          expect(shown).toEqual(Array.from(expected[r].subarray(i * 30 + y * 5, i * 30 + y * 5 + 5)));
        }
      }
      expect(row.pixels[5]).toBe(255); // the white gap after the first image
    });
  });

  test('the same inputs give the same bytes', () => {
    const a = contactSheetSvg({ images, layout, shifts, scale: 2, title: 't' });
    expect(contactSheetSvg({ images, layout, shifts, scale: 2, title: 't' })).toBe(a);
  });

  test('colour images become RGB rows with the channels interleaved', () => {
    const rgbLayout = { count: 2, height: 3, width: 3, channels: 3 };
    const rgb = randomBytes(2 * 27, 4);
    const svg = contactSheetSvg({ images: rgb, layout: rgbLayout, shifts: [{ kind: 'contrast', severity: 1, seed: 0 }], scale: 1, title: 'rgb' });
    const [original] = embeddedPngs(svg).map(decodePng);
    expect(original.colourType).toBe(2);
    // Pixel (y 1, x 2) of the second image: strip column 3 + 2 + 2 = 7 (width 3, gap 2).
    const at = (1 * original.width + 7) * 3;
    expect(Array.from(original.pixels.subarray(at, at + 3))).toEqual([0, 1, 2].map((c) => rgb[27 + c * 9 + 1 * 3 + 2]));
  });

  test('encodePng: a 2 x 2 grayscale checkerboard round-trips', () => {
    const png = encodePng(Uint8Array.of(0, 255, 255, 0), 2, 2, 1);
    expect(decodePng(png)).toMatchObject({ width: 2, height: 2, colourType: 0, pixels: Uint8Array.of(0, 255, 255, 0) });
    expect(() => encodePng(Uint8Array.of(0, 1, 2), 2, 2, 1)).toThrow(InvalidInputError);
  });

  test('rejects bad inputs', () => {
    expect(() => contactSheetSvg({ images, layout, shifts: [], scale: 2, title: '' })).toThrow(/at least one shift/);
    expect(() => contactSheetSvg({ images, layout, shifts, scale: 0, title: '' })).toThrow(/scale/);
    expect(() => contactSheetSvg({ images: images.subarray(1), layout, shifts, scale: 1, title: '' })).toThrow(InvalidInputError);
    expect(() => contactSheetSvg({ images, layout, shifts: [{ kind: 'rotate', severity: 9, seed: 0 }], scale: 1, title: '' })).toThrow(/severity/);
  });
});
