import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { randomBytes } from '../../fixtures/data/generate.ts';
import { SHIFT_KINDS, applyShift, describeShift, type ShiftKind } from './shift.ts';

const layout = { count: 20, height: 8, width: 8, channels: 3 };
const images = randomBytes(20 * 3 * 64, 5);

describe('shift corruptions', () => {
  test.each(SHIFT_KINDS)('%s is deterministic for a seed, differs across seeds and changes the images', (kind) => {
    const a = applyShift(images, layout, { kind, severity: 3, seed: 1 });
    const again = applyShift(images, layout, { kind, severity: 3, seed: 1 });
    const other = applyShift(images, layout, { kind, severity: 3, seed: 2 });
    expect(again).toEqual(a);
    expect(a).not.toEqual(images);
    if (kind !== 'contrast') expect(other).not.toEqual(a); // contrast uses no randomness
    expect(a.length).toBe(images.length);
  });

  test('does not modify its input', () => {
    const copy = Uint8Array.from(images);
    applyShift(images, layout, { kind: 'gaussian-noise', severity: 5, seed: 1 });
    expect(images).toEqual(copy);
  });

  test('gaussian noise has the stated sigma (0.18 x 255 at severity 3) on mid-grey images', () => {
    const grey = new Uint8Array(50 * 28 * 28).fill(128);
    const noisy = applyShift(grey, { count: 50, height: 28, width: 28, channels: 1 }, { kind: 'gaussian-noise', severity: 3, seed: 4 });
    const diffs = Array.from(noisy, (v) => v - 128);
    const mean = diffs.reduce((a, b) => a + b) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length);
    expect(Math.abs(mean)).toBeLessThan(1);
    // Clipping at 0 and 255 is 2.8 sigma away, so it barely shrinks the spread.
    expect(sd).toBeGreaterThan(0.18 * 255 * 0.97);
    expect(sd).toBeLessThan(0.18 * 255 * 1.03);
  });

  test('contrast scales deviations from each channel mean', () => {
    const image = Uint8Array.of(0, 100, 200, 100); // one 2x2 single-channel image, mean 100
    const out = applyShift(image, { count: 1, height: 2, width: 2, channels: 1 }, { kind: 'contrast', severity: 1, seed: 0 });
    expect([...out]).toEqual([60, 100, 140, 100]);
  });

  test('translate moves every channel by the same offset of the stated length, with zero fill', () => {
    const side = 9;
    const one = new Uint8Array(3 * side * side);
    for (let c = 0; c < 3; c++) one[c * side * side + 4 * side + 4] = 200 + c; // a dot in the centre of each channel
    for (let seed = 0; seed < 10; seed++) {
      const out = applyShift(one, { count: 1, height: side, width: side, channels: 3 }, { kind: 'translate', severity: 2, seed });
      const where = [0, 1, 2].map((c) => out.subarray(c * side * side, (c + 1) * side * side).findIndex((v) => v === 200 + c));
      expect(new Set(where.map((w) => w)).size).toBe(1);
      const dy = Math.floor(where[0] / side) - 4;
      const dx = (where[0] % side) - 4;
      expect(Math.max(Math.abs(dx), Math.abs(dy))).toBeGreaterThanOrEqual(1);
      expect(Math.round(Math.hypot(dx, dy))).toBeLessThanOrEqual(3);
      expect(out.reduce((a, b) => a + b, 0)).toBe(200 + 201 + 202);
    }
  });

  test('rejects bad specs', () => {
    expect(() => applyShift(images, layout, { kind: 'blur' as ShiftKind, severity: 1, seed: 0 })).toThrow(InvalidInputError);
    expect(() => applyShift(images, layout, { kind: 'contrast', severity: 6, seed: 0 })).toThrow(InvalidInputError);
    expect(() => applyShift(images, layout, { kind: 'contrast', severity: 1, seed: 0.5 })).toThrow(InvalidInputError);
    expect(() => applyShift(images.subarray(1), layout, { kind: 'contrast', severity: 1, seed: 0 })).toThrow(InvalidInputError);
  });

  test('describes itself for the report', () => {
    expect(describeShift({ kind: 'gaussian-noise', severity: 3, seed: 7 })).toBe(
      'additive Gaussian noise with sigma = 0.18 x 255, rounded and clipped to [0, 255] (severity 3, seed 7)',
    );
  });
});
