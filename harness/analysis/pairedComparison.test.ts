import { describe, expect, test } from 'vitest';
import { AnalysisError } from '../errors.ts';
import { encodePredictions } from '../metrics.ts';
import type { RunRecord } from '../store.ts';
import { arms, lookup, runRecord } from '../../fixtures/analysis.ts';
import { comparePairedArms } from './pairedComparison.ts';

// The same synthetic correctness as the R reference below: example i of arm A, seed s is correct when
// (13 i + 7 s) mod 100 < 90 - s; of arm B when (17 i + 11 s) mod 100 < 85 + s; 200 examples, seeds 1-5.
const N = 200;
const correctness = (arm: string, s: number): Uint8Array => Uint8Array.from({ length: N }, (_, i) => {
  if (arm === 'a') return (i * 13 + s * 7) % 100 < 90 - s ? 1 : 0;
  if (arm === 'b') return (i * 17 + s * 11) % 100 < 85 + s ? 1 : 0;
  return i % 2; // C: 50%
});
// Validation ranks a first and b second although b is better on test: the choice must come from validation.
const VALIDATION: Record<string, number> = { a: 90, b: 89, c: 60 };

function recordFor(arm: string, seed: number, overrides: Partial<RunRecord> = {}): RunRecord {
  const correct = correctness(arm, seed);
  const labels = new Uint8Array(N);
  const predictedClass = Uint8Array.from(correct, (c) => (c ? 0 : 1));
  const examples = { predictedClass, trueClassProbability: Float32Array.from(correct, (c) => (c ? 0.9 : 0.1)) };
  const accuracy = (100 * correct.reduce((a, b) => a + b, 0)) / N;
  return runRecord(arm, seed, {
    test: { accuracy, nll: 0.3 }, validation: { accuracy: VALIDATION[arm] + seed / 100, nll: 0.3 },
  }, { predictions: { test: encodePredictions(examples, labels) }, ...overrides });
}

const study = arms(['a', 'b', 'c'], [1, 2, 3, 4, 5]);
const records = new Map(study.cellIds.flatMap((arm) => study.seeds.map((seed) => [`${arm}/${seed}`, recordFor(arm, seed)] as const)));

describe('comparePairedArms against R', () => {
  const result = comparePairedArms(study, lookup(records), { split: 'test', bootstrapSeed: 2026 });

  test('the top two are chosen on validation (a, b), not on the test accuracy compared', () => {
    expect(result).toMatchObject({ best: 'a', second: 'b', chosenOnValidation: true, split: 'test', unit: 'pp' });
    expect(result.perSeed.map((p) => p.best)).toEqual([89, 88, 87, 86, 85]);
    expect(result.perSeed.map((p) => p.second)).toEqual([86, 87, 88, 89, 90]);
  });

  test('paired t equals R t.test(a, b, paired = TRUE)', () => {
    // R: t.test(c(89,88,87,86,85), c(86,87,88,89,90), paired = TRUE): -1, [-4.926486322955114, 2.926486322955114], p 0.518518518518518, df 4
    expect(result.pairedT.estimate).toBeCloseTo(-1, 12);
    expect(result.pairedT.lower).toBeCloseTo(-4.926486322955114, 10);
    expect(result.pairedT.upper).toBeCloseTo(2.926486322955114, 10);
    expect(result.pairedT.pValue).toBeCloseTo(0.518518518518518, 10);
    expect(result.pairedT.df).toBe(4);
  });

  test('McNemar per seed equals R mcnemar.test on each seed\'s 2x2 table', () => {
    // R: mcnemar.test(matrix(c(both, onlyB, onlyA, neither), 2)) for seeds 1-5 (26/20, 20/18, 20/22, 20/26, 18/28 discordant)
    const expected = [
      [26, 20, 0.543478260869565, 0.460994786425578], [20, 18, 0.0263157894736842, 0.871131491597158], [20, 22, 0.0238095238095238, 0.877370556064143],
      [20, 26, 0.543478260869565, 0.460994786425578], [18, 28, 1.76086956521739, 0.18451609080341],
    ];
    result.mcnemar.forEach((m, k) => {
      if (!('pValue' in m)) throw new Error(`seed ${m.seed}: ${m.unavailable}`);
      expect([m.onlyBest, m.onlySecond]).toEqual(expected[k].slice(0, 2));
      expect(m.exact).toBe(false);
      expect(m.statistic).toBeCloseTo(expected[k][2], 10);
      expect(m.pValue).toBeCloseTo(expected[k][3], 10);
    });
  });

  test('the two-level bootstrap is seeded, centred on the observed difference, in pp', () => {
    if ('unavailable' in result.bootstrap) throw new Error(result.bootstrap.unavailable);
    expect(result.bootstrap.estimate).toBeCloseTo(-1, 10);
    expect(result.bootstrap.lower).toBeLessThan(-1);
    expect(result.bootstrap.upper).toBeGreaterThan(-1);
    expect(comparePairedArms(study, lookup(records), { split: 'test', bootstrapSeed: 2026 }).bootstrap).toEqual(result.bootstrap);
    expect(comparePairedArms(study, lookup(records), { split: 'test', bootstrapSeed: 7 }).bootstrap).not.toEqual(result.bootstrap);
  });

  test('named arms override the choice; fewer than 25 discordant examples use the exact binomial test', () => {
    const named = comparePairedArms(study, lookup(records), { split: 'test', arms: ['b', 'a'], bootstrapSeed: 1 });
    expect(named).toMatchObject({ best: 'b', second: 'a', chosenOnValidation: false });
    expect(named.pairedT.estimate).toBeCloseTo(1, 12);
    const small = new Map(records);
    // Seed 1: A right on examples 0-5, B right on 0 and 6 only: 5 examples only A, 1 only B. R: binom.test(5, 6, 0.5)$p.value = 0.21875
    const make = (arm: string, right: number[]) => {
      const correct = new Uint8Array(N);
      for (const i of right) correct[i] = 1;
      const examples = { predictedClass: Uint8Array.from(correct, (c) => (c ? 0 : 1)), trueClassProbability: new Float32Array(N) };
      return { ...records.get(`${arm}/1`)!, predictions: { test: encodePredictions(examples, new Uint8Array(N)) } };
    };
    small.set('a/1', make('a', [0, 1, 2, 3, 4, 5]));
    small.set('b/1', make('b', [0, 6]));
    const seed1 = comparePairedArms(study, lookup(small), { split: 'test', bootstrapSeed: 1 }).mcnemar[0];
    expect(seed1).toMatchObject({ seed: 1, onlyBest: 5, onlySecond: 1, exact: true });
    expect('pValue' in seed1 && seed1.pValue).toBeCloseTo(0.21875, 12);
  });

  test('a diverged run counts at chance in the paired t and makes the bootstrap and its seed\'s McNemar unavailable, with the reason', () => {
    const withDiverged = new Map(records);
    withDiverged.set('b/3', { ...records.get('b/3')!, status: 'diverged', metrics: {}, predictions: {} });
    const result = comparePairedArms(study, lookup(withDiverged), { split: 'test', bootstrapSeed: 1 });
    expect(result.perSeed[2].second).toBe(10);
    expect(result.bootstrap).toEqual({ unavailable: 'run b/seed-3 diverged (no predictions)' });
    expect(result.mcnemar[2]).toEqual({ seed: 3, unavailable: 'run b/seed-3 diverged (no predictions)' });
    expect('pValue' in result.mcnemar[0]).toBe(true);
  });

  test('missing runs, unknown arms and one seed are named errors', () => {
    const partial = new Map(records);
    partial.delete('c/5');
    expect(() => comparePairedArms(study, lookup(partial), { split: 'test', bootstrapSeed: 1 })).toThrow(/1 of 15 pre-registered runs missing \(c\/seed-5\)/);
    expect(() => comparePairedArms(study, lookup(records), { split: 'test', arms: ['a', 'Z'], bootstrapSeed: 1 })).toThrow(AnalysisError);
    expect(() => comparePairedArms(study, lookup(records), { split: 'test', arms: ['a', 'a'], bootstrapSeed: 1 })).toThrow(/itself/);
    const one = arms(['a', 'b'], [1]);
    expect(() => comparePairedArms(one, lookup(records), { split: 'test', bootstrapSeed: 1 })).toThrow(/at least two seeds/);
  });
});
