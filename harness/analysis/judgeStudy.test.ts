import fc from 'fast-check';
import { studentTQuantile } from '../stats/distributions.ts';
import { HypothesisDefinitionError } from '../errors.ts';
import type { RunRecord } from '../store.ts';
import { analyseStudy, contrast, pairedDifference, topTwoOnValidation, type HypothesisResult, type HypothesisSpec } from './index.ts';
import { describe, expect, test } from 'vitest';
import {
  A_MAIN, AB, arms, B_MAIN, base, bh, byId, byIdS, close, handContrast, handPaired, holm, hypothesis, HYPOTHESES, interval, lookup, mean, recordsFrom, runRecord, threeByTwo, twoByTwo, VALUES, variance,
} from '../../fixtures/analysis.ts';

describe('analyseStudy: a 2x2 factorial study against a hand computation', () => {
  const study = twoByTwo();
  const results = analyseStudy(study, HYPOTHESES, lookup(recordsFrom(study, VALUES)), 'registered');

  test('the contrast estimate is the difference of marginal means; SE = sqrt(MSE · Σ w²/n) with MSE from the within-cell variances', () => {
    const h1 = byId(results, 'H1');
    const marginal = (cells: string[]) => mean(cells.flatMap((c) => VALUES[c]));
    close(h1.estimate, marginal(['a1-b0', 'a1-b1']) - marginal(['a0-b0', 'a0-b1']));
    const mse = mean(Object.values(VALUES).map(variance)); // balanced: pooled variance = mean of the cell variances
    close(h1.standardError, Math.sqrt(mse * (4 * 0.25) / 3));
    expect(h1.df).toBe(8);
    // R: fit <- lm(y ~ a * b); m <- tapply(y, list(a, b), mean); sum(w * m); sqrt(deviance(fit) / df.residual(fit) * sum(w^2 / 3))
    close(h1.estimate, 9.85, 1e-12);
    close(h1.standardError, 0.442216638714053, 1e-12);
    close(h1.pValue, 1.74500416773274e-08, 1e-9); // R: 2 * pt(-abs(est / se), 8)
    close(byId(results, 'H2').pValue, 0.970859225568782, 1e-9);
    close(byId(results, 'H3').standardError, 0.884433277428105, 1e-12);
  });

  test('every field agrees with the hand computation for every hypothesis', () => {
    const weights = { H1: A_MAIN, H2: B_MAIN, H3: AB, H4: A_MAIN } as const;
    for (const r of results) {
      const hand = handContrast(VALUES, weights[r.id as keyof typeof weights], false);
      close(r.estimate, hand.estimate);
      close(r.standardError, hand.standardError);
      expect(r.df).toBe(hand.df);
      close(r.pValue, hand.pValue, 1e-8);
      const { lower, upper } = interval(hand, r.confidence);
      close(r.lower, lower);
      close(r.upper, upper);
      const alpha = 1 - r.confidence;
      close(r.minimumDetectableEffect, (studentTQuantile(1 - alpha / 2, hand.df) + studentTQuantile(0.8, hand.df)) * hand.standardError);
    }
  });

  test('confirmatory: Bonferroni confidence 1 - 0.05/3 decides, Holm p beside; exploratory: BH p at 0.95', () => {
    for (const id of ['H1', 'H2', 'H4']) {
      const r = byId(results, id);
      expect(r.confidence).toBeCloseTo(1 - 0.05 / 3, 14);
      expect(r).toMatchObject({ family: 'confirmatory', familySize: 3, confirmatory: true, correction: 'bonferroni' });
    }
    // R: qt(1 - 0.05 / 3 / 2, 8) = 3.01576183688717
    close(byId(results, 'H1').upper! - byId(results, 'H1').estimate!, 3.01576183688717 * 0.442216638714053, 1e-9);
    const ps = ['H1', 'H2', 'H4'].map((id) => byId(results, id).pValue!);
    const adjusted = holm(ps);
    ['H1', 'H2', 'H4'].forEach((id, i) => close(byId(results, id).adjustedPValue, adjusted[i]));
    close(byId(results, 'H1').adjustedPValue, 3 * 1.74500416773274e-08, 1e-8);
    close(byId(results, 'H2').adjustedPValue, 0.970859225568782, 1e-9);
    const h3 = byId(results, 'H3');
    expect(h3).toMatchObject({ family: 'exploratory', familySize: 1, confirmatory: false, correction: 'benjamini-hochberg', confidence: 0.95 });
    close(h3.adjustedPValue, h3.pValue!);
  });

  test('verdicts: supported beyond the SESOI, refuted short of it, equivalence supported, inconclusive below the SESOI with its MDE', () => {
    expect(results.map((r) => [r.id, r.verdict, r.code])).toEqual([
      ['H1', 'supported', 'beyond-sesoi'],
      ['H2', 'refuted', 'short-of-sesoi'],
      ['H3', 'supported', 'within-sesoi'],
      ['H4', 'inconclusive', 'significant-below-sesoi'],
    ]);
    expect(byId(results, 'H4').reason).toContain('significant but possibly below the SESOI');
    expect(byId(results, 'H4').minimumDetectableEffect).toBeGreaterThan(0);
  });

  test('the descriptive fields: study, claim, metric and unit, split, runs, effect label', () => {
    expect(byId(results, 'H1')).toMatchObject({
      study: 'unit', claim: 'claim H1', metric: 'accuracy', unit: 'pp', split: 'test', profile: 'registered', direction: 'greater', sesoi: 3,
      sesoiReason: 'reason H1', effect: 'a: +1×a1 -1×a0', power: 0.8, runsComplete: 12, runsExpected: 12, missing: [], diverged: [],
    });
    expect(byId(results, 'H3').effect).toBe('a: +1×a1 -1×a0 × b: +1×b1 -1×b0');
  });

  test('seed as a block: df 12 - 4 - 2 = 6 and the residual of the additive seed model', () => {
    const blocked = twoByTwo({}, { seedAsBlock: true });
    const r = analyseStudy(blocked, HYPOTHESES, lookup(recordsFrom(blocked, VALUES)), 'registered');
    const hand = handContrast(VALUES, A_MAIN, true);
    expect(byId(r, 'H1').df).toBe(6);
    close(byId(r, 'H1').estimate, hand.estimate);
    close(byId(r, 'H1').standardError, hand.standardError);
    // R: fit <- lm(y ~ s + a * b); sqrt(deviance(fit) / df.residual(fit) * sum(w^2 / 3))
    close(byId(r, 'H1').standardError, 0.505891219459209, 1e-12);
    close(byId(r, 'H3').pValue, 0.776839166701299, 1e-9);
  });

  test('another metric: nll (lower is better) is read from the records, in nats', () => {
    const r = analyseStudy(study, [hypothesis('N1', contrast({ a: { a1: 1, a0: -1 } }), 'less', 0.03, 'confirmatory', 'nll')], lookup(recordsFrom(study, VALUES)), 'registered');
    expect(r[0]).toMatchObject({ metric: 'nll', unit: 'nats', verdict: 'supported' });
    close(r[0].estimate, -0.0985, 1e-9);
  });

  test('the quick profile judges on validation metrics', () => {
    const r = analyseStudy(study, HYPOTHESES, lookup(recordsFrom(study, VALUES)), 'quick');
    expect(r.every((h) => h.split === 'validation' && h.profile === 'quick')).toBe(true);
    // Validation is test - 1 everywhere: contrasts are unchanged.
    close(byId(r, 'H1').estimate, 9.85, 1e-12);
  });
});

describe('analyseStudy: a missing run makes every verdict incomplete', () => {
  const study = twoByTwo();

  test('one missing run: incomplete, with the run named, and no numbers', () => {
    const records = recordsFrom(study, VALUES);
    records.delete('a0-b1/3');
    const results = analyseStudy(study, HYPOTHESES, lookup(records), 'registered');
    expect(results).toHaveLength(4);
    for (const r of results) {
      expect(r).toMatchObject({
        verdict: 'incomplete', code: 'missing-runs', runsComplete: 11, runsExpected: 12, missing: ['a0-b1/seed-3'],
        estimate: null, lower: null, upper: null, df: null, standardError: null, pValue: null, adjustedPValue: null, minimumDetectableEffect: null,
        confidence: 0.95,
      });
      expect(r.reason).toBe('1 of 12 pre-registered runs are missing (a0-b1/seed-3); a hypothesis is judged only on the complete design.');
    }
  });

  test('many missing runs: the first five are named, then an ellipsis', () => {
    const results = analyseStudy(study, HYPOTHESES, () => null, 'registered');
    expect(results[0].runsComplete).toBe(0);
    expect(results[0].missing).toHaveLength(12);
    expect(results[0].reason).toBe(
      '12 of 12 pre-registered runs are missing (a0-b0/seed-1, a0-b0/seed-2, a0-b0/seed-3, a0-b1/seed-1, a0-b1/seed-2, …); a hypothesis is judged only on the complete design.',
    );
  });
});

describe('analyseStudy: diverged runs follow the registered rule', () => {
  test('substitute-chance: a diverged run counts at chance accuracy (100/K), never dropped', () => {
    const study = twoByTwo();
    const records = recordsFrom(study, VALUES);
    records.set('a1-b1/1', runRecord('a1-b1', 1, {}, { status: 'diverged', divergence: { epoch: 3, loss: 'NaN', reason: 'loss became NaN' }, numClasses: 10 }));
    const results = analyseStudy(study, HYPOTHESES, lookup(records), 'registered');
    const substituted = { ...VALUES, 'a1-b1': [10, ...VALUES['a1-b1'].slice(1)] };
    const hand = handContrast(substituted, A_MAIN, false);
    const h1 = byId(results, 'H1');
    close(h1.estimate, hand.estimate);
    close(h1.standardError, hand.standardError);
    expect(h1.diverged).toEqual(['a1-b1/seed-1']);
    expect(h1.runsComplete).toBe(12);
    // Chance nll is ln K.
    const nll = analyseStudy(study, [hypothesis('N', contrast({ a: { a1: 1, a0: -1 } }), 'less', 0.01, 'confirmatory', 'nll')], lookup(records), 'registered')[0];
    const nllValues = Object.fromEntries(Object.entries(substituted).map(([c, xs]) => [c, xs.map((x) => (100 - x) / 100)]));
    nllValues['a1-b1'][0] = Math.log(10);
    close(nll.estimate, handContrast(nllValues, A_MAIN, false).estimate);
  });

  test('mark-inconclusive: a hypothesis involving a diverged run is inconclusive; one that does not is judged', () => {
    const study = threeByTwo({ diverged: { rule: 'mark-inconclusive', reason: 'cannot interpret a diverged run' } });
    const values: Record<string, number[]> = {};
    study.cellIds.forEach((c, i) => (values[c] = [60 + i, 61.3 + i, 59.4 + i].map((x) => x + (c.startsWith('d8') ? 5 : 0))));
    const records = recordsFrom(study, values);
    records.set('d4-gelu/2', runRecord('d4-gelu', 2, {}, { status: 'diverged', divergence: { epoch: 1, loss: 'Infinity', reason: 'loss became infinite' } }));
    const results = analyseStudy(study, [
      hypothesis('D82', contrast({ depth: { 8: 1, 2: -1 } }), 'greater', 1),
      hypothesis('D42', contrast({ depth: { 4: 1, 2: -1 } }), 'greater', 1),
    ], lookup(records), 'registered');
    expect(byId(results, 'D42')).toMatchObject({
      verdict: 'inconclusive', code: 'diverged-runs',
      reason: 'involves diverged runs (d4-gelu/seed-2); the registered rule marks such hypotheses inconclusive',
    });
    expect(byId(results, 'D42').estimate).not.toBeNull();
    expect(byId(results, 'D82').code).not.toBe('diverged-runs');
    // d8 cells sit 4 and 5 steps above d2-relu plus a bonus of 5; d2 cells 0 and 1: 4.5 + 5 - 0.5.
    close(byId(results, 'D82').estimate, 9, 1e-12);
    expect(byId(results, 'D82').diverged).toEqual(['d4-gelu/seed-2']);
  });
});

describe('analyseStudy: paired arms and top two', () => {
  test('pairedDifference: paired t over seed-matched runs, against a hand computation', () => {
    const study = arms(['mlp', 'gbt']);
    const values = { mlp: [88.1, 87.6, 88.9, 88.0], gbt: [86.0, 86.1, 86.2, 85.9] };
    const results = analyseStudy(study, [hypothesis('P', pairedDifference('mlp', 'gbt'), 'greater', 1)], lookup(recordsFrom(study, values)), 'registered');
    const hand = handPaired(values.mlp, values.gbt);
    const r = results[0];
    close(r.estimate, hand.estimate);
    close(r.standardError, hand.standardError);
    expect(r.df).toBe(3);
    close(r.pValue, hand.pValue, 1e-8);
    const { lower, upper } = interval(hand, 0.95);
    close(r.lower, lower);
    close(r.upper, upper);
    expect(r.effect).toBe('mlp − gbt (paired by seed)');
    expect(r.chosen).toBeUndefined();
  });

  test('topTwoOnValidation chooses best and second on validation accuracy, then compares them on test', () => {
    const study = arms(['x', 'y', 'z']);
    const records = new Map<string, RunRecord>();
    const validation = { x: [85, 86, 84, 85], y: [84, 83, 85, 84], z: [80, 81, 79, 80] };
    const testValues = { x: [81.0, 81.5, 80.2, 81.1], y: [83.0, 82.4, 83.9, 82.8], z: [90, 91, 89, 90] }; // z is best on test, worst on validation
    for (const cell of ['x', 'y', 'z'] as const) {
      study.seeds.forEach((seed, s) => records.set(`${cell}/${seed}`, runRecord(cell, seed, {
        validation: { accuracy: validation[cell][s], nll: 0.5 }, test: { accuracy: testValues[cell][s], nll: 0.5 },
      })));
    }
    const r = analyseStudy(study, [hypothesis('T', topTwoOnValidation(), 'greater', 1)], lookup(records), 'registered')[0];
    expect(r.chosen).toEqual({ best: 'x', second: 'y', validationMeans: { x: 85, y: 84, z: 80 } });
    const hand = handPaired(testValues.x, testValues.y);
    close(r.estimate, hand.estimate);
    close(r.standardError, hand.standardError);
    expect(r.verdict).toBe('refuted'); // x is worse than y on test: wholly on the wrong side of zero
    expect(r.code).toBe('short-of-sesoi');
  });

  test('Holm p-values for a confirmatory family and BH for an exploratory one, each over its own members', () => {
    const study = arms(['a', 'b', 'c', 'd']);
    const values = {
      a: [80.0, 81.2, 79.5, 80.4], b: [79.1, 80.0, 79.4, 79.8], c: [78.0, 80.5, 79.9, 79.0], d: [80.3, 80.9, 79.2, 81.0],
    };
    const hs = [
      hypothesis('C1', pairedDifference('a', 'b'), 'greater', 0.5),
      hypothesis('C2', pairedDifference('a', 'c'), 'greater', 0.5),
      hypothesis('E1', pairedDifference('b', 'c'), 'greater', 0.5, 'exploratory'),
      hypothesis('C3', pairedDifference('d', 'b'), 'greater', 0.5),
      hypothesis('E2', pairedDifference('d', 'c'), 'greater', 0.5, 'exploratory'),
      hypothesis('E3', pairedDifference('a', 'd'), 'greater', 0.5, 'exploratory'),
    ];
    const results = analyseStudy(study, hs, lookup(recordsFrom(study, values)), 'registered');
    const p = (id: string) => {
      const h = hs.find((x) => x.id === id)!.effect as { a: string; b: string };
      return handPaired(values[h.a as keyof typeof values], values[h.b as keyof typeof values]).pValue;
    };
    const confirmatory = ['C1', 'C2', 'C3'];
    const exploratory = ['E1', 'E2', 'E3'];
    holm(confirmatory.map(p)).forEach((q, i) => close(byId(results, confirmatory[i]).adjustedPValue, q, 1e-8));
    bh(exploratory.map(p)).forEach((q, i) => close(byId(results, exploratory[i]).adjustedPValue, q, 1e-8));
    for (const id of confirmatory) expect(byId(results, id).confidence).toBeCloseTo(1 - 0.05 / 3, 14);
    for (const id of exploratory) expect(byId(results, id).confidence).toBe(0.95);
  });

  test('a run without metrics on the judged split: that hypothesis is an error, and the family keeps its size (issue 11, fault 2)', () => {
    const study = arms(['a', 'b', 'c']);
    const values = { a: [80.0, 81.2, 79.5, 80.4], b: [79.1, 80.0, 79.4, 79.8], c: [78.0, 80.5, 79.9, 79.0] };
    const records = recordsFrom(study, values);
    records.set('c/2', runRecord('c', 2, { validation: { accuracy: 80, nll: 0.5 } }, { profile: 'quick' }));
    const hs = [
      hypothesis('AB', pairedDifference('a', 'b'), 'greater', 0.5),
      hypothesis('AC', pairedDifference('a', 'c'), 'greater', 0.5),
    ];
    const results = analyseStudy(study, hs, lookup(records), 'registered');
    expect(byId(results, 'AC')).toMatchObject({
      verdict: 'error', code: 'analysis-error', estimate: null, adjustedPValue: null,
      reason: 'HypothesisDefinitionError: run c/seed-2 has no test metrics (profile quick).',
    });
    expect(byId(results, 'AC').confidence).toBeCloseTo(1 - 0.05 / 2, 14);
    const ab = byId(results, 'AB');
    expect(ab.verdict).not.toBe('error');
    // The failed member counts as p = 1: Holm over m = 2 multiplies the smallest p by 2, as the Bonferroni interval
    // divides alpha by 2 (R: p.adjust(p, "holm", n = 2)).
    expect(ab.pValue!).toBeLessThan(0.5);
    close(ab.adjustedPValue, 2 * ab.pValue!, 1e-12);
  });

  test('a family whose every member errors (two arms identical on every seed) gives errors, not a crash', () => {
    const study = arms(['a', 'b', 'c']);
    const same = [80.0, 81.2, 79.5, 80.4];
    const values = { a: same, b: [...same], c: [...same] };
    const hs = [
      hypothesis('AB', pairedDifference('a', 'b'), 'greater', 0.5),
      hypothesis('AC', pairedDifference('a', 'c'), 'greater', 0.5),
      hypothesis('E1', pairedDifference('b', 'c'), 'greater', 0.5, 'exploratory'),
    ];
    const results = analyseStudy(study, hs, lookup(recordsFrom(study, values)), 'registered');
    expect(results.map((r) => [r.id, r.verdict, r.code, r.adjustedPValue])).toEqual([
      ['AB', 'error', 'analysis-error', null],
      ['AC', 'error', 'analysis-error', null],
      ['E1', 'error', 'analysis-error', null],
    ]);
    expect(results[0].reason).toMatch(/^InvalidInputError: /);
  });
});

describe('analyseStudy: verdict rules (issue 11)', () => {
  // Differences a - b = [-0.3, 0.1, -0.7, -0.3]: mean -0.3, SD sqrt(0.32 / 3), 95% t interval about [-0.82, 0.22].
  const study = arms(['a', 'b']);
  const values = { a: [80.0 - 0.3, 81.2 + 0.1, 79.5 - 0.7, 80.4 - 0.3], b: [80.0, 81.2, 79.5, 80.4] };
  const hs = [hypothesis('G', pairedDifference('a', 'b'), 'greater', 0.5), hypothesis('L', pairedDifference('a', 'b'), 'less', 0.1, 'exploratory')];

  test('rule 2 decides by default: an interval wholly short of the SESOI but crossing -SESOI is refuted', () => {
    const [g] = analyseStudy(study, hs, lookup(recordsFrom(study, values)), 'registered');
    expect(g.lower!).toBeLessThan(-0.5);
    expect(g.upper!).toBeGreaterThan(0);
    expect(g.upper!).toBeLessThan(0.5);
    expect(g).toMatchObject({ verdict: 'refuted', code: 'short-of-sesoi', verdictRule: 2, registeredRuleVerdict: null });
  });

  test('a lock under rule 1 with rule 2 adopted: rule 2 gives the headline, rule 1 is kept beside where the verdicts differ', () => {
    const [g, l] = analyseStudy(study, hs, lookup(recordsFrom(study, values)), 'registered', { verdictRule: 2, registeredVerdictRule: 1 });
    expect(g).toMatchObject({ verdict: 'refuted', code: 'short-of-sesoi', verdictRule: 2 });
    expect(g.registeredRuleVerdict).toMatchObject({ verdictRule: 1, verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi' });
    expect(g.registeredRuleVerdict!.reason).toContain('opposite direction');
    // 'less' with SESOI 0.1: the interval contains -0.1 under both rules, so nothing is shown beside.
    expect(l).toMatchObject({ verdict: 'inconclusive', verdictRule: 2, registeredRuleVerdict: null });
  });

  test('a lock under rule 1 without a deviation judges by rule 1', () => {
    const [g] = analyseStudy(study, hs, lookup(recordsFrom(study, values)), 'registered', { verdictRule: 1 });
    expect(g).toMatchObject({ verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi', verdictRule: 1, registeredRuleVerdict: null });
  });
});

describe('analyseStudy properties', () => {
  const cellValue = fc.integer({ min: 500, max: 950 }).map((x) => x / 10);
  const design = fc.record({
    'a0-b0': fc.array(cellValue, { minLength: 3, maxLength: 3 }),
    'a0-b1': fc.array(cellValue, { minLength: 3, maxLength: 3 }),
    'a1-b0': fc.array(cellValue, { minLength: 3, maxLength: 3 }),
    'a1-b1': fc.array(cellValue, { minLength: 3, maxLength: 3 }),
  });
  const study = twoByTwo();
  const nonConstant = (v: Record<string, number[]>) => Object.values(v).some((xs) => variance(xs) > 0);

  test('contrast estimates and standard errors match the hand computation on any data (fast-check seed 51)', () => {
    fc.assert(
      fc.property(design, (values) => {
        fc.pre(nonConstant(values));
        const results = analyseStudy(study, HYPOTHESES, lookup(recordsFrom(study, values)), 'registered');
        const h1 = handContrast(values, A_MAIN, false);
        close(byId(results, 'H1').estimate, h1.estimate, 1e-9 * Math.max(1, 1 / Math.abs(h1.estimate || 1)));
        close(byId(results, 'H1').standardError, h1.standardError, 1e-9);
        close(byId(results, 'H3').standardError, handContrast(values, AB, false).standardError, 1e-9);
      }),
      { seed: 51, numRuns: 100 },
    );
  });

  test('verdicts, estimates and intervals of contrasts are invariant to adding a constant to every run (fast-check seed 52)', () => {
    fc.assert(
      fc.property(design, fc.integer({ min: -500, max: 500 }).map((x) => x / 10), (values, shift) => {
        fc.pre(nonConstant(values));
        const shifted = Object.fromEntries(Object.entries(values).map(([c, xs]) => [c, xs.map((x) => x + shift)]));
        const before = analyseStudy(study, HYPOTHESES, lookup(recordsFrom(study, values)), 'registered');
        const after = analyseStudy(study, HYPOTHESES, lookup(recordsFrom(study, shifted)), 'registered');
        after.forEach((r, i) => {
          expect(r.verdict).toBe(before[i].verdict);
          expect(r.code).toBe(before[i].code);
          for (const key of ['estimate', 'lower', 'upper', 'standardError'] as const) {
            expect(Math.abs(r[key]! - before[i][key]!)).toBeLessThan(1e-9);
          }
        });
      }),
      { seed: 52, numRuns: 100 },
    );
  });
});
