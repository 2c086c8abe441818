import fc from 'fast-check';
import { defineStudy, factorialCells, type Level } from '../study.ts';
import { contrast, contrastCellWeights, pairedDifference, topTwoOnValidation } from './index.ts';
import { describe, expect, test } from 'vitest';
import {
  A_MAIN, AB, arms, B_MAIN, base, bh, byId, byIdS, close, handContrast, handPaired, holm, hypothesis, HYPOTHESES, interval, lookup, mean, recordsFrom, runRecord, threeByTwo, twoByTwo, VALUES, variance,
} from '../../fixtures/analysis.ts';

describe('contrastCellWeights', () => {
  test('a main effect in a 2x2: ±1/2 on each cell, averaged over the other factor', () => {
    const study = twoByTwo();
    expect(contrastCellWeights(study, contrast({ a: { a1: 1, a0: -1 } }))).toEqual([
      { cell: 'a0-b0', levels: { a: 'a0', b: 'b0' }, weight: -0.5 },
      { cell: 'a0-b1', levels: { a: 'a0', b: 'b1' }, weight: -0.5 },
      { cell: 'a1-b0', levels: { a: 'a1', b: 'b0' }, weight: 0.5 },
      { cell: 'a1-b1', levels: { a: 'a1', b: 'b1' }, weight: 0.5 },
    ]);
  });

  test('an interaction: the difference of differences, ±1 per cell', () => {
    const weights = contrastCellWeights(twoByTwo(), contrast({ a: { a1: 1, a0: -1 }, b: { b1: 1, b0: -1 } }));
    expect(Object.fromEntries(weights.map((w) => [w.cell, w.weight]))).toEqual(AB);
  });

  test('a named comparison of a three-level factor (8 vs 2): the unnamed level gets weight 0, numeric levels match their keys', () => {
    const weights = contrastCellWeights(threeByTwo(), contrast({ depth: { 8: 1, 2: -1 } }));
    expect(Object.fromEntries(weights.map((w) => [w.cell, w.weight]))).toEqual({
      'd2-relu': -0.5, 'd2-gelu': -0.5, 'd4-relu': 0, 'd4-gelu': 0, 'd8-relu': 0.5, 'd8-gelu': 0.5,
    });
    expect(weights[4].levels).toEqual({ depth: 8, act: 'relu' });
  });

  test('a main-effect contrast: cell weights sum to zero and weight the cell means as the level weights weight the marginal means (fast-check seed 53)', () => {
    const structure = fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 3 }).chain((counts) =>
      fc.record({
        counts: fc.constant(counts),
        factor: fc.integer({ min: 0, max: counts.length - 1 }),
        raw: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 4, maxLength: 4 }),
        means: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 64, maxLength: 64 }),
      }),
    );
    fc.assert(
      fc.property(structure, ({ counts, factor, raw, means }) => {
        const fs: Record<string, Level[]> = {};
        counts.forEach((count, f) => (fs[`f${f}`] = Array.from({ length: count }, (_, l) => `l${l}`)));
        const named = `f${factor}`;
        const levels = fs[named].map(String);
        // Zero-sum level weights: the last level balances the others.
        const levelWeights: Record<string, number> = {};
        levels.slice(0, -1).forEach((l, i) => (levelWeights[l] = raw[i]));
        levelWeights[levels[levels.length - 1]] = -levels.slice(0, -1).reduce((a, l) => a + levelWeights[l], 0);
        const study = defineStudy(base({ factors: fs, cells: factorialCells(fs, (c) => Object.values(c).join('-')) }));
        const weights = contrastCellWeights(study, contrast({ [named]: levelWeights }));
        expect(Math.abs(weights.reduce((a, w) => a + w.weight, 0))).toBeLessThan(1e-9);
        const cellMean = Object.fromEntries(study.cellIds.map((c, i) => [c, means[i]]));
        const viaCells = weights.reduce((a, w) => a + w.weight * cellMean[w.cell], 0);
        const marginal = (level: string) => mean(study.cellIds.filter((c) => String(study.levelsOf(c)[named]) === level).map((c) => cellMean[c]));
        const viaMarginals = levels.reduce((a, l) => a + levelWeights[l] * marginal(l), 0);
        expect(Math.abs(viaCells - viaMarginals)).toBeLessThan(1e-9 * (1 + Math.abs(viaMarginals)));
      }),
      { seed: 53, numRuns: 150 },
    );
  });
});

describe('effect helpers', () => {
  test('contrast labels its weights; a label can be given', () => {
    expect(contrast({ depth: { 8: 1, 2: -1 } })).toEqual({ kind: 'contrast', weights: { depth: { 8: 1, 2: -1 } }, label: 'depth: -1×2 +1×8' });
    expect(contrast({ depth: { 8: 1, 2: -1 } }, 'deeper is better').label).toBe('deeper is better');
    expect(pairedDifference('a', 'b')).toEqual({ kind: 'paired', a: 'a', b: 'b', label: 'a − b (paired by seed)' });
    expect(topTwoOnValidation().kind).toBe('top-two');
  });
});
