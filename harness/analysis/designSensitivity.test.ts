import { StudyDefinitionError } from '../errors.ts';
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
  const testExamples = 10_000;
  const results = designSensitivity(study, specs, lookup(records), { testExamples });
  // The pilot's mean validation accuracy, 75.5%: one evaluation on 10,000 test images has binomial SD 100·√(p(1−p)/n).
  const p = mean(Object.values(pilotValidation).flat()) / 100;
  const evaluationSd = 100 * Math.sqrt((p * (1 - p)) / testExamples);

  test('sigma is the pooled within-cell SD of the pilot runs; the design adds one test evaluation\'s binomial noise; SE, half-width and MDE follow', () => {
    // Hand computation: within-cell sums of squares 4.6667 and 2.1667 over 2 + 2 df.
    const ss = variance(pilotValidation['a0-b0']) * 2 + variance(pilotValidation['a1-b1']) * 2;
    const sigma = Math.sqrt(ss / 4);
    const a = byIdS(results, 'A');
    close(a.sigma, sigma);
    expect(a.sigmaDf).toBe(4);
    expect(a.pilotRuns).toBe(6);
    expect(a.df).toBe(8);
    close(p, 0.755, 1e-12);
    close(a.evaluationSd, evaluationSd);
    close(a.evaluationSd, 0.430087200460558, 1e-12); // Python: 100 * math.sqrt(.755 * .245 / 10000)
    const designSigma = Math.sqrt(sigma ** 2 + evaluationSd ** 2);
    close(a.designSigma, designSigma);
    expect(a.testExamples).toBe(10_000);
    // Main effect of a: weights ±1/2 on 4 cells, sum of squares 1, over 3 seeds.
    close(a.standardError, designSigma * Math.sqrt(1 / 3));
    // Two confirmatory hypotheses: Bonferroni 97.5%. R 4.2: qt(1 - 0.025/2, 8) = 2.75152359606305.
    expect(a.confidence).toBeCloseTo(0.975, 12);
    close(a.halfWidth, 2.75152359606305 * designSigma * Math.sqrt(1 / 3), 1e-8);
    // MDE = (t_{1-alpha/2} + t_{power}) SE. R 4.2: qt(0.8, 8) = 0.88888951776702.
    close(a.minimumDetectableEffect, (2.75152359606305 + 0.88888951776702) * designSigma * Math.sqrt(1 / 3), 1e-8);
    expect(a.minimumDetectableEffect!).toBeLessThan(a.sesoi);
    expect(a.decidable).toBe(true);
    expect(a.assessment).toMatch(/^decidable/);
  });

  test('issue 11, fault 5: a claim whose MDE exceeds its SESOI is not decidable at this design, though its half-width is below the SESOI', () => {
    const a = byIdS(results, 'A');
    const ab = byIdS(results, 'AB');
    close(ab.standardError, 2 * a.standardError!); // four times the sum of squared weights of a main effect
    const [wide] = designSensitivity(study, [hypothesis('W', contrast({ a: { a1: 1, a0: -1 }, b: { b1: 1, b0: -1 } }), 'greater', 4)], lookup(records), { testExamples });
    expect(wide.halfWidth!).toBeLessThan(4);
    expect(wide.minimumDetectableEffect!).toBeGreaterThan(4);
    expect(wide.decidable).toBe(false);
    expect(wide.assessment).toMatch(/^not decidable at this design: the minimum detectable effect \d+\.\d\d exceeds the SESOI 4 \(seed spread \d+\.\d\d and one test evaluation's binomial noise 0\.43 \(n = 10000\)/);
    expect(ab.decidable).toBe(false);
  });

  test('the binomial noise is what moves a claim across: without it (a huge test split) the same claim is decidable', () => {
    const spec = [hypothesis('M', contrast({ a: { a1: 1, a0: -1 } }), 'greater', 2.6)];
    const [small] = designSensitivity(study, spec, lookup(records), { testExamples: 1_000 });
    const [huge] = designSensitivity(study, spec, lookup(records), { testExamples: 1e9 });
    expect(huge.minimumDetectableEffect!).toBeLessThan(2.6);
    expect(huge.decidable).toBe(true);
    expect(small.minimumDetectableEffect!).toBeGreaterThan(2.6);
    expect(small.decidable).toBe(false);
  });

  test('nll has no binomial form: its design spread is the pilot spread alone', () => {
    const [nll] = designSensitivity(study, [hypothesis('N', contrast({ a: { a1: 1, a0: -1 } }), 'less', 0.01, 'confirmatory', 'nll')], lookup(records), { testExamples });
    expect(nll.evaluationSd).toBeNull();
    // Every pilot nll is 0.3: no spread.
    expect(nll.sigma).toBeNull();
  });

  test('a study without a pilot gets its named error, not a TypeError (issue 11, fault 4)', () => {
    expect(() => designSensitivity(twoByTwo(), specs, lookup(records), { testExamples })).toThrow(StudyDefinitionError);
    expect(() => designSensitivity(twoByTwo(), specs, lookup(records), { testExamples })).toThrow("study 'unit' declares no pilot. Fix: add pilot:");
  });

  test('an exploratory equivalence claim uses the unadjusted confidence and says whether the margin can hold the interval', () => {
    const eq = byIdS(results, 'EQ');
    expect(eq.confidence).toBe(0.95);
    expect(eq.assessment).toMatch(eq.halfWidth! < 1 ? /^decidable/ : /^not decidable/);
  });

  test('without two finished pilot runs in a cell there is no spread, and it says so', () => {
    const [only] = designSensitivity(study, specs.slice(0, 1), () => null, { testExamples });
    expect(only.sigma).toBeNull();
    expect(only.assessment).toContain('no spread could be estimated');
  });
});
