import type { RunRecord } from '../store.ts';
import { contrast, designSensitivity } from './index.ts';
import { describe, expect, test } from 'vitest';
import {
  A_MAIN, AB, arms, B_MAIN, base, bh, byId, byIdS, close, handContrast, handPaired, holm, hypothesis, HYPOTHESES, interval, lookup, mean, recordsFrom, runRecord, threeByTwo, twoByTwo, VALUES, variance,
} from '../../fixtures/analysis.ts';

describe('designSensitivity: what a pilot says about the registered design', () => {
  // 2x2 with 3 registered seeds, seed not a block: 12 runs, 4 cells, 8 residual df.
  const study = twoByTwo({ pilot: { cells: ['a0-b0', 'a1-b1'], seeds: [11, 12, 13], reason: 'spread' } });
  const pilotValidation: Record<string, number[]> = { 'a0-b0': [70, 71, 73], 'a1-b1': [80, 80.5, 78.5] };
  const records = new Map<string, RunRecord>();
  for (const [cell, values] of Object.entries(pilotValidation)) {
    values.forEach((accuracy, i) => records.set(`${cell}/${11 + i}`, runRecord(cell, 11 + i, { validation: { accuracy, nll: 0.3 } }, { profile: 'pilot' })));
  }
  const specs = [
    hypothesis('A', contrast({ a: { a1: 1, a0: -1 } }), 'greater', 3),
    hypothesis('AB', contrast({ a: { a1: 1, a0: -1 }, b: { b1: 1, b0: -1 } }), 'greater', 1),
    hypothesis('EQ', contrast({ b: { b1: 1, b0: -1 } }), 'equivalent', 1, 'exploratory'),
  ];
  const results = designSensitivity(study, specs, lookup(records));

  test('sigma is the pooled within-cell SD of the pilot runs; SE, half-width and MDE follow the registered design', () => {
    // Hand computation: within-cell sums of squares 4.6667 and 2.1667 over 2 + 2 df.
    const ss = variance(pilotValidation['a0-b0']) * 2 + variance(pilotValidation['a1-b1']) * 2;
    const sigma = Math.sqrt(ss / 4);
    const a = byIdS(results, 'A');
    close(a.sigma, sigma);
    expect(a.sigmaDf).toBe(4);
    expect(a.pilotRuns).toBe(6);
    expect(a.df).toBe(8);
    // Main effect of a: weights ±1/2 on 4 cells, sum of squares 1, over 3 seeds.
    close(a.standardError, sigma * Math.sqrt(1 / 3));
    // Two confirmatory hypotheses: Bonferroni 97.5%. R 4.2: qt(1 - 0.025/2, 8) = 2.75152359606305.
    expect(a.confidence).toBeCloseTo(0.975, 12);
    close(a.halfWidth, 2.75152359606305 * sigma * Math.sqrt(1 / 3), 1e-8);
    // MDE = (t_{1-alpha/2} + t_{power}) SE. R 4.2: qt(0.8, 8) = 0.88888951776702.
    close(a.minimumDetectableEffect, (2.75152359606305 + 0.88888951776702) * sigma * Math.sqrt(1 / 3), 1e-8);
    expect(a.assessment).toMatch(/^decidable/);
  });

  test('an interaction has four times the sum of squared weights of a main effect: twice the SE', () => {
    const a = byIdS(results, 'A');
    const ab = byIdS(results, 'AB');
    close(ab.standardError, 2 * a.standardError!);
    expect(ab.halfWidth!).toBeGreaterThan(ab.sesoi);
    expect(ab.assessment).toMatch(/^weak/);
  });

  test('an exploratory equivalence claim uses the unadjusted confidence and says whether the margin can hold the interval', () => {
    const eq = byIdS(results, 'EQ');
    expect(eq.confidence).toBe(0.95);
    expect(eq.assessment).toMatch(eq.halfWidth! < 1 ? /^decidable/ : /^not decidable/);
  });

  test('without two finished pilot runs in a cell there is no spread, and it says so', () => {
    const [only] = designSensitivity(study, specs.slice(0, 1), () => null);
    expect(only.sigma).toBeNull();
    expect(only.assessment).toContain('no spread could be estimated');
  });
});
