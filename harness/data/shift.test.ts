import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { randomBytes } from '../../fixtures/data/generate.ts';
import { SHIFT_KINDS, SHIFT_SEVERITIES, applyShift, applyShiftPlan, checkShiftOption, describeShift, describeShiftSplit, shiftCorruptions, shiftParams, type ShiftKind } from './shift.ts';
import { deriveSeed } from '../random.ts';

const layout = { count: 20, height: 8, width: 8, channels: 3 };
const images = randomBytes(20 * 3 * 64, 5);

describe('shift corruptions', () => {
  test.each(SHIFT_KINDS)('%s is deterministic for a seed, differs across seeds and changes the images', (kind) => {
    const a = applyShift(images, layout, { kind, severity: 3, seed: 1 });
    const again = applyShift(images, layout, { kind, severity: 3, seed: 1 });
    const other = applyShift(images, layout, { kind, severity: 3, seed: 2 });
    expect(again).toEqual(a);
    expect(a).not.toEqual(images);
    if (kind !== 'contrast' && kind !== 'gaussian-blur') expect(other).not.toEqual(a); // contrast and blur use no randomness
    else expect(other).toEqual(a);
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
    expect(() => applyShift(images, layout, { kind: 'fog' as ShiftKind, severity: 1, seed: 0 })).toThrow(InvalidInputError);
    expect(() => applyShift(images, layout, { kind: 'contrast', severity: 6, seed: 0 })).toThrow(InvalidInputError);
    expect(() => applyShift(images, layout, { kind: 'contrast', severity: 1, seed: 0.5 })).toThrow(InvalidInputError);
    expect(() => applyShift(images.subarray(1), layout, { kind: 'contrast', severity: 1, seed: 0 })).toThrow(InvalidInputError);
  });

  test('describes itself for the report', () => {
    expect(describeShift({ kind: 'gaussian-noise', severity: 3, seed: 7 })).toBe(
      'additive Gaussian noise with sigma = 0.18 x 255, rounded and clipped to [0, 255] (severity 3, seed 7)',
    );
  });

  test('every kind registers five severities, and a stronger severity changes the images more', () => {
    const side = 28;
    const count = 8;
    const smooth = centredBlobs(count, side);
    for (const kind of SHIFT_KINDS) {
      expect(SHIFT_SEVERITIES[kind]).toHaveLength(5);
      const change = [1, 2, 3, 4, 5].map((severity) => meanAbsoluteChange(smooth, applyShift(smooth, { count, height: side, width: side, channels: 1 }, { kind, severity, seed: 3 })));
      for (let i = 1; i < 5; i++) expect(change[i], `${kind} severity ${i + 1} vs ${i}`).toBeGreaterThan(change[i - 1]);
    }
  });

  test('gaussian blur spreads a dot into a Gaussian of the stated sigma, keeping its mass', () => {
    const side = 15;
    for (const severity of [3, 5]) {
      const sigma = SHIFT_SEVERITIES['gaussian-blur'][severity - 1];
      const dot = new Uint8Array(side * side);
      dot[7 * side + 7] = 255;
      const out = applyShift(dot, { count: 1, height: side, width: side, channels: 1 }, { kind: 'gaussian-blur', severity, seed: 0 });
      const mass = out.reduce((a, b) => a + b, 0);
      expect(Math.abs(mass - 255)).toBeLessThanOrEqual(6); // rounding of each of the (2 ceil(3 sigma) + 1)^2 pixels
      let varianceX = 0;
      for (let i = 0; i < out.length; i++) varianceX += out[i] * ((i % side) - 7) ** 2;
      // The kernel is cut at 3 sigma and each value is rounded: within 15% of sigma^2.
      expect(varianceX / mass).toBeGreaterThan(sigma ** 2 * 0.85);
      expect(varianceX / mass).toBeLessThan(sigma ** 2 * 1.15);
      expect(out[7 * side + 7]).toBe(Math.max(...out));
    }
  });

  test('gaussian blur keeps the mean brightness and lowers the total variation as severity grows', () => {
    const count = 20;
    const side = 28;
    const noisy = randomBytes(count * side * side, 9);
    const layout = { count, height: side, width: side, channels: 1 };
    const tv = [totalVariation(noisy, side)];
    for (let severity = 1; severity <= 5; severity++) {
      const out = applyShift(noisy, layout, { kind: 'gaussian-blur', severity, seed: 0 });
      expect(Math.abs(mean(out) - mean(noisy))).toBeLessThan(1);
      tv.push(totalVariation(out, side));
    }
    for (let i = 1; i < tv.length; i++) expect(tv[i]).toBeLessThan(tv[i - 1]);
    expect(tv[5]).toBeLessThan(tv[0] / 3);
  });

  test('rotate turns a dot about the centre by the stated angle, in both directions across images', () => {
    const side = 29; // odd: the centre (14, 14) is a pixel
    const count = 16;
    const images = new Uint8Array(count * side * side);
    for (let i = 0; i < count; i++) images[i * side * side + 14 * side + 24] = 255; // 10 pixels right of the centre
    const severity = 3;
    const angle = (SHIFT_SEVERITIES.rotate[severity - 1] * Math.PI) / 180;
    const out = applyShift(images, { count, height: side, width: side, channels: 1 }, { kind: 'rotate', severity, seed: 5 });
    const signs = new Set<number>();
    for (let i = 0; i < count; i++) {
      const image = out.subarray(i * side * side, (i + 1) * side * side);
      let mass = 0;
      let x = 0;
      let y = 0;
      image.forEach((v, j) => { mass += v; x += v * (j % side); y += v * Math.floor(j / side); });
      x /= mass;
      y /= mass;
      // Centre of mass within 0.3 pixels of (14 + 10 cos a, 14 -+ 10 sin a): up (y down) when anticlockwise.
      expect(Math.abs(x - (14 + 10 * Math.cos(angle)))).toBeLessThan(0.3);
      expect(Math.abs(Math.abs(y - 14) - 10 * Math.sin(angle))).toBeLessThan(0.3);
      signs.add(Math.sign(14 - y));
    }
    expect([...signs].sort()).toEqual([-1, 1]);
  });

  test('rotate keeps the brightness of a centred disc', () => {
    const side = 28;
    const disc = centredBlobs(1, side);
    const out = applyShift(disc, { count: 1, height: side, width: side, channels: 1 }, { kind: 'rotate', severity: 5, seed: 1 });
    expect(Math.abs(mean(out) - mean(disc))).toBeLessThan(0.5);
  });

  test('describes blur and rotation for the report', () => {
    expect(describeShift({ kind: 'gaussian-blur', severity: 5, seed: 0 })).toBe('Gaussian blur with sigma = 1 pixels, edges clamped (severity 5, seed 0)');
    expect(describeShift({ kind: 'rotate', severity: 2, seed: 4 })).toBe(
      'each image rotated by 20 degrees, clockwise or anticlockwise at random, about its centre (bilinear, zero fill) (severity 2, seed 4)',
    );
  });
});

/** `count` images of a soft disc of radius 8 in the centre, brightest in the middle; on a horizontal ramp when count > 1. */
function centredBlobs(count: number, side: number): Uint8Array {
  const out = new Uint8Array(count * side * side);
  const c = (side - 1) / 2;
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const r = Math.hypot(x - c, y - c);
        let v = r < 8 ? 200 * (1 - r / 10) : 0;
        if (count > 1) v = Math.min(255, v + 6 * x); // a horizontal ramp: every rotation angle and shift moves it further
        out[i * side * side + y * side + x] = Math.round(v);
      }
    }
  }
  return out;
}

function mean(values: Uint8Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function meanAbsoluteChange(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Sum of absolute differences between horizontal and vertical neighbours, over every image (single channel). */
function totalVariation(images: Uint8Array, side: number): number {
  let sum = 0;
  for (let i = 0; i < images.length; i++) {
    const x = i % side;
    const y = Math.floor(i / side) % side;
    if (x + 1 < side) sum += Math.abs(images[i] - images[i + 1]);
    if (y + 1 < side) sum += Math.abs(images[i] - images[i + side]);
  }
  return sum;
}

describe('registered shift plans: several corruptions, each image keeping its corruption (issue 13)', () => {
  const plan = { corruptions: [{ kind: 'gaussian-blur', severity: 3 }, { kind: 'rotate', severity: 2 }, { kind: 'contrast', severity: 1 }], seed: 7 } as const;

  test('the test images once per registered corruption, in the order listed, with each copy named and grouped', () => {
    const { images: out, groups, groupNames } = applyShiftPlan(images, layout, plan);
    expect(groupNames).toEqual(['gaussian-blur-3', 'rotate-2', 'contrast-1']);
    expect(out.length).toBe(3 * images.length);
    expect(Array.from(groups!)).toEqual([...new Array(20).fill(0), ...new Array(20).fill(1), ...new Array(20).fill(2)]);
    // Copy g is exactly its own corruption (with its derived seed), and only that.
    shiftCorruptions(plan).forEach((c, g) => {
      expect(c.spec.seed).toBe(deriveSeed(7, `shift/${c.name}`));
      expect(out.subarray(g * images.length, (g + 1) * images.length)).toEqual(applyShift(images, layout, c.spec));
    });
    const rotatedOnly = applyShift(images, layout, shiftCorruptions(plan)[1].spec);
    expect(out.subarray(0, images.length)).not.toEqual(rotatedOnly);
  });

  test('deterministic: the same plan gives the same bytes; adding a corruption changes no other corruption\'s images', () => {
    expect(applyShiftPlan(images, layout, plan)).toEqual(applyShiftPlan(images, layout, plan));
    const rotateOnly = applyShiftPlan(images, layout, { corruptions: [{ kind: 'rotate', severity: 2 }], seed: 7 });
    expect(rotateOnly.images).toEqual(applyShiftPlan(images, layout, plan).images.subarray(images.length, 2 * images.length));
    const otherSeed = applyShiftPlan(images, layout, { ...plan, seed: 8 });
    expect(otherSeed.images.subarray(images.length, 2 * images.length)).not.toEqual(rotateOnly.images); // rotation draws random signs
  });

  test('the single form is unchanged: one copy, its own seed, no groups, the same params as before', () => {
    const single = { kind: 'gaussian-noise', severity: 2, seed: 1 } as const;
    expect(applyShiftPlan(images, layout, single)).toEqual({ images: applyShift(images, layout, single) });
    expect(shiftParams(single)).toEqual({ kind: 'gaussian-noise', severity: 2, seed: 1 });
    expect(shiftParams(plan)).toEqual({ corruptions: [{ kind: 'gaussian-blur', severity: 3 }, { kind: 'rotate', severity: 2 }, { kind: 'contrast', severity: 1 }], seed: 7 });
    expect(describeShiftSplit(single)).toBe(`the test images with ${describeShift(single)} as the shift split`);
    expect(describeShiftSplit(plan)).toMatch(/^the test images once per registered corruption \(3 copies, seed 7; gaussian-blur-3: Gaussian blur with sigma = 0\.7 pixels, edges clamped \(severity 3\); rotate-2: .*\) as the shift split, each image keeping its corruption$/);
  });

  test.each([
    ['no corruptions', { corruptions: [], seed: 1 }, /shift.corruptions must list at least one/],
    ['a corruption listed twice', { corruptions: [{ kind: 'rotate', severity: 2 }, { kind: 'rotate', severity: 2 }], seed: 1 }, /lists rotate-2 twice/],
    ['an unknown kind', { corruptions: [{ kind: 'fog', severity: 2 }], seed: 1 }, /shift.corruptions\[0\]: shift.kind must be one of/],
    ['a severity of 6', { corruptions: [{ kind: 'rotate', severity: 6 }], seed: 1 }, /severity must be an integer from 1 to 5, got 6/],
    ['a seed per corruption', { corruptions: [{ kind: 'rotate', severity: 2, seed: 3 }], seed: 1 }, /has no field 'seed'; each corruption is \{ kind, severity \}/],
    ['a misspelt plan field', { corruption: [{ kind: 'rotate', severity: 2 }], seed: 1 }, /shift.kind must be one of/],
    ['an unknown plan field', { corruptions: [{ kind: 'rotate', severity: 2 }], seed: 1, severity: 3 }, /shift has no field 'severity'/],
    ['a fractional seed', { corruptions: [{ kind: 'rotate', severity: 2 }], seed: 1.5 }, /shift.seed must be a safe integer/],
  ])('refuses %s with a named error', (_name, shift, message) => {
    expect(() => checkShiftOption('fashionMnist', shift as never)).toThrow(InvalidInputError);
    expect(() => checkShiftOption('fashionMnist', shift as never)).toThrow(message);
  });
});
