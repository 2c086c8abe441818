import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { meanInterval } from './meanInterval.ts';
import { pairedTTest } from './pairedTTest.ts';
import { studentTTest } from './studentTTest.ts';
import type { TTestResult } from './tInference.ts';
import type { Alternative } from './validate.ts';
import { welchTTest } from './welchTTest.ts';

// Property tests shared by every t interval. fast-check runs with a fixed seed (named in each
// title); a failure prints the seed and counterexample path to replay it.
const SEED = 20240601;
const runs = { seed: SEED, numRuns: 150 };

/** Values on a 0.01 grid (accuracies in percent, say), never all equal. */
const sample = (minLength: number, maxLength: number) =>
  fc
    .array(fc.integer({ min: -10_000, max: 10_000 }).map((x) => x / 100), { minLength, maxLength })
    .filter((xs) => xs.some((x) => x !== xs[0]));
const twoSamples = fc.tuple(sample(2, 9), sample(2, 9));
const pairedSamples = fc
  .array(fc.tuple(fc.integer({ min: -10_000, max: 10_000 }), fc.integer({ min: -10_000, max: 10_000 })), {
    minLength: 2,
    maxLength: 9,
  })
  .map((pairs) => [pairs.map((p) => p[0] / 100), pairs.map((p) => p[1] / 100)] as [number[], number[]])
  .filter(([a, b]) => a.some((x, i) => x - b[i] !== a[0] - b[0]));
const shift = fc.integer({ min: -100_000, max: 100_000 }).map((x) => x / 100);
const positiveScale = fc.constantFrom(0.001, 0.01, 0.5, 3, 100, 1000);
const alternative = fc.constantFrom<Alternative>('two-sided', 'greater', 'less');
const confidence = fc.constantFrom(0.8, 0.9, 0.95, 0.99, 0.9875);

function near(actual: number, expected: number, scale: number): boolean {
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= 1e-9 * (1 + Math.abs(expected) + scale);
}
const magnitude = (...xs: number[][]) => Math.max(...xs.flat().map(Math.abs));

type TwoSampleTest = (a: number[], b: number[], o?: { alternative?: Alternative; confidence?: number }) => TTestResult;
const cases: Array<[string, TwoSampleTest, fc.Arbitrary<[number[], number[]]>]> = [
  ['welchTTest', welchTTest, twoSamples],
  ['studentTTest', studentTTest, twoSamples],
  ['pairedTTest', pairedTTest, pairedSamples],
];

describe.each(cases)(`%s properties (fast-check seed ${SEED})`, (_, fn, samples) => {
  test('the interval contains its estimate', () => {
    fc.assert(
      fc.property(samples, alternative, confidence, ([a, b], alt, conf) => {
        const r = fn(a, b, { alternative: alt, confidence: conf });
        return r.lower <= r.estimate && r.estimate <= r.upper;
      }),
      runs,
    );
  });

  test('adding c to both samples leaves the difference interval unchanged', () => {
    fc.assert(
      fc.property(samples, shift, alternative, ([a, b], c, alt) => {
        const r = fn(a, b, { alternative: alt });
        const s = fn(a.map((x) => x + c), b.map((x) => x + c), { alternative: alt });
        const m = magnitude(a, b) + Math.abs(c);
        return near(s.estimate, r.estimate, m) && near(s.lower, r.lower, m) && near(s.upper, r.upper, m);
      }),
      runs,
    );
  });

  test('adding c to one sample shifts the interval by c', () => {
    fc.assert(
      fc.property(samples, shift, alternative, ([a, b], c, alt) => {
        const r = fn(a, b, { alternative: alt });
        const s = fn(a.map((x) => x + c), b, { alternative: alt });
        const m = magnitude(a, b) + Math.abs(c);
        return near(s.estimate, r.estimate + c, m) && near(s.lower, r.lower + c, m) && near(s.upper, r.upper + c, m);
      }),
      runs,
    );
  });

  test('scaling both samples by k > 0 scales the interval by k and keeps t, df and p', () => {
    fc.assert(
      fc.property(samples, positiveScale, alternative, ([a, b], k, alt) => {
        const r = fn(a, b, { alternative: alt });
        const s = fn(a.map((x) => x * k), b.map((x) => x * k), { alternative: alt });
        const m = k * magnitude(a, b);
        return (
          near(s.lower, r.lower * k, m) &&
          near(s.upper, r.upper * k, m) &&
          near(s.statistic, r.statistic, Math.abs(r.statistic)) &&
          near(s.df, r.df, r.df) &&
          Math.abs(s.pValue - r.pValue) <= 1e-9
        );
      }),
      runs,
    );
  });

  test('swapping the samples mirrors the interval', () => {
    fc.assert(
      fc.property(samples, confidence, ([a, b], conf) => {
        const r = fn(a, b, { confidence: conf });
        const s = fn(b, a, { confidence: conf });
        const m = magnitude(a, b);
        return near(s.lower, -r.upper, m) && near(s.upper, -r.lower, m) && near(s.pValue, r.pValue, 1);
      }),
      runs,
    );
  });

  test('test and interval agree: p < 1 - confidence exactly when the interval excludes 0', () => {
    fc.assert(
      fc.property(samples, alternative, confidence, ([a, b], alt, conf) => {
        const r = fn(a, b, { alternative: alt, confidence: conf });
        if (Math.abs(r.pValue - (1 - conf)) < 1e-9) return true; // on the boundary rounding decides
        return r.pValue < 1 - conf === (r.lower > 0 || r.upper < 0);
      }),
      runs,
    );
  });
});

describe(`meanInterval properties (fast-check seed ${SEED})`, () => {
  test('contains its estimate, shifts with the data and scales with it', () => {
    fc.assert(
      fc.property(sample(2, 12), shift, positiveScale, confidence, (xs, c, k, conf) => {
        const r = meanInterval(xs, { confidence: conf });
        const shifted = meanInterval(xs.map((x) => x + c), { confidence: conf });
        const scaled = meanInterval(xs.map((x) => x * k), { confidence: conf });
        const m = magnitude(xs) + Math.abs(c);
        return (
          r.lower <= r.estimate &&
          r.estimate <= r.upper &&
          near(shifted.lower, r.lower + c, m) &&
          near(shifted.upper, r.upper + c, m) &&
          near(scaled.lower, r.lower * k, k * m) &&
          near(scaled.upper, r.upper * k, k * m)
        );
      }),
      runs,
    );
  });

  test('a higher confidence gives a wider interval', () => {
    fc.assert(
      fc.property(sample(2, 12), (xs) => {
        const narrow = meanInterval(xs, { confidence: 0.9 });
        const wide = meanInterval(xs, { confidence: 0.99 });
        return wide.lower < narrow.lower && wide.upper > narrow.upper;
      }),
      runs,
    );
  });

  test('the interval equals the paired interval of the values against zeros', () => {
    const xs = [0.3, 0.1, 0.25, 0.4];
    const r = meanInterval(xs, { confidence: 0.9 });
    const p = pairedTTest(xs, [0, 0, 0, 0], { confidence: 0.9 });
    expect(r.lower).toBeCloseTo(p.lower, 14);
    expect(r.upper).toBeCloseTo(p.upper, 14);
  });
});
