/**
 * harness/random.ts (seeded streams) and harness/progress.ts (the progress line), the harness's two
 * small helpers without a test file of their own.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { formatProgress } from './progress.ts';
import { createRandom, deriveSeed } from './random.ts';

describe('createRandom', () => {
  test("matches seedrandom's documented stream (README: seedrandom('hello.') gives 0.9282578795792454, then 0.3752569768646784)", () => {
    const random = createRandom('hello.');
    expect(random()).toBe(0.9282578795792454);
    expect(random()).toBe(0.3752569768646784);
  });

  test('a number seed uses its string form: createRandom(42) is the stream of "42", not of seedrandom(42)', () => {
    const fromNumber = createRandom(42);
    const fromString = createRandom('42');
    const first = fromNumber();
    expect(first).toBe(fromString());
    // seedrandom(42) with a number starts 0.0016341939679719736; the string form starts here.
    expect(first).toBe(0.00701751618236155);
    expect(first).not.toBe(0.0016341939679719736);
  });

  test('the stream for seed 7 is fixed on every machine', () => {
    const random = createRandom(7);
    expect([random(), random(), random()]).toEqual([0.27925298591418535, 0.034632836188531295, 0.8516417818016774]);
  });

  test('same seed, same stream; values in [0, 1) (fast-check seed 61)', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          expect(x).toBe(b());
          expect(x >= 0 && x < 1).toBe(true);
        }
      }),
      { seed: 61, numRuns: 100 },
    );
  });

  test('different seeds give different streams (fast-check seed 62)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (s, t) => {
        fc.pre(s !== t);
        const a = createRandom(s);
        const b = createRandom(t);
        expect([a(), a(), a()]).not.toEqual([b(), b(), b()]);
      }),
      { seed: 62, numRuns: 100 },
    );
  });
});

describe('deriveSeed', () => {
  test('is the first 31 bits of sha256("<seed>/<label>"), big-endian', () => {
    const digest = createHash('sha256').update('1/init/layer-0').digest();
    expect(deriveSeed(1, 'init/layer-0')).toBe(digest.readUInt32BE(0) & 0x7fffffff);
    expect(deriveSeed(1, 'init/layer-0')).toBe(1184273273);
    expect(deriveSeed(2026, 'split')).toBe(1380923093);
    expect(deriveSeed('1', 'init/layer-0')).toBe(deriveSeed(1, 'init/layer-0'));
  });

  test('a non-negative 31-bit integer, stable, and distinct across labels of one seed (fast-check seed 63)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.string(), (seed, x, y) => {
        fc.pre(x !== y);
        const a = deriveSeed(seed, x);
        expect(Number.isInteger(a) && a >= 0 && a <= 0x7fffffff).toBe(true);
        expect(deriveSeed(seed, x)).toBe(a);
        // 31-bit collisions are possible in principle; none among these.
        expect(deriveSeed(seed, y)).not.toBe(a);
      }),
      { seed: 63, numRuns: 300 },
    );
  });
});

describe('formatProgress (harness/progress.ts)', () => {
  test('cell, seed, epoch, validation accuracy (a fraction, shown as percent), loss, elapsed and remaining time', () => {
    expect(formatProgress({ cell: 'd4-gelu-wd1e-4', seed: 2, epoch: 3, epochs: 10, validationAccuracy: 0.874, trainLoss: 0.351, secondsElapsed: 12, secondsLeft: 28 })).toBe(
      '[d4-gelu-wd1e-4 seed 2] epoch 3/10  val acc 87.40%  loss 0.3510  12s elapsed, ~28s left',
    );
  });

  test('leaves out what it does not know, and shows a non-finite loss as is', () => {
    expect(formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 2, secondsElapsed: 3 })).toBe('[a seed 1] epoch 1/2  3s elapsed');
    expect(formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 2, trainLoss: Number.NaN, secondsElapsed: 3, secondsLeft: Infinity })).toBe('[a seed 1] epoch 1/2  loss NaN  3s elapsed');
    expect(formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 2, trainLoss: Infinity, secondsElapsed: 0.4 })).toBe('[a seed 1] epoch 1/2  loss Infinity  0s elapsed');
  });

  test.each([
    [0, '0s'],
    [89.4, '89s'],
    [90, '1m30s'],
    [150, '2m30s'],
    [119.4, '1m59s'],
    [119.6, '2m00s'],
    [3599.7, '60m00s'],
    [3725, '62m05s'],
  ])('%s seconds read as %s', (seconds, text) => {
    expect(formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 1, secondsElapsed: seconds })).toBe(`[a seed 1] epoch 1/1  ${text} elapsed`);
  });
});
