import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  analyseStudy, contrast, contrastCellWeights, designSensitivity, pairedDifference, summariseStudy, topTwoOnValidation, validateHypothesis,
  type HypothesisResult, type HypothesisSpec, type RecordLookup,
} from './analysis.ts';
import { HypothesisDefinitionError } from './errors.ts';
import { studentTCdf, studentTQuantile } from './stats/distributions.ts';
import type { RunRecord } from './store.ts';
import { defineStudy, factorialCells, type Level, type Study, type StudyInput } from './study.ts';
import type { DatasetSpec } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Synthetic studies and run records, built in memory.

const dataset: DatasetSpec = {
  id: 'fake', description: 'fake', params: {}, hasShift: false,
  load: async () => {
    throw new Error('never loaded in unit tests');
  },
};

const families = {
  confirmatory: { correction: 'bonferroni', confirmatory: true },
  exploratory: { correction: 'benjamini-hochberg', confirmatory: false },
} as const;

function base(overrides: Partial<StudyInput> = {}): StudyInput {
  return {
    name: 'unit', title: 'Unit', question: 'q?', dataset, cells: {}, seeds: [1, 2, 3],
    metrics: { primary: 'accuracy', readAt: 'final-epoch' },
    budget: { registered: { epochs: 1 }, quick: { epochs: 1 } },
    analysis: { model: 'factorial', confidence: 0.95, seedAsBlock: false, seedBlockReason: 'independent seeds', families },
    diverged: { rule: 'substitute-chance', reason: 'penalise' },
    ...overrides,
  };
}

/** 2x2 factorial: a (a0, a1) x b (b0, b1), cells `a0-b0` ... */
function twoByTwo(overrides: Partial<StudyInput> = {}, analysis: Partial<StudyInput['analysis']> = {}): Study {
  const factors = { a: ['a0', 'a1'], b: ['b0', 'b1'] } as const;
  const input = base({ factors, cells: factorialCells(factors, (c) => `${c.a}-${c.b}`), ...overrides });
  return defineStudy({ ...input, analysis: { ...input.analysis, ...analysis } });
}

/** 3x2 factorial: depth (2, 4, 8) x act (relu, gelu), cells `d2-relu` ... */
function threeByTwo(overrides: Partial<StudyInput> = {}): Study {
  const factors = { depth: [2, 4, 8], act: ['relu', 'gelu'] } as const;
  return defineStudy(base({ factors, cells: factorialCells(factors, (c) => `d${c.depth}-${c.act}`), ...overrides }));
}

/** Arms compared by seed-matched pairs. */
function arms(ids: string[], seeds = [1, 2, 3, 4], overrides: Partial<StudyInput> = {}): Study {
  const input = base({ cells: Object.fromEntries(ids.map((id) => [id, { arm: id }])), seeds, ...overrides });
  return defineStudy({ ...input, analysis: { ...input.analysis, model: 'paired' } });
}

function runRecord(cell: string, seed: number, metrics: RunRecord['metrics'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1, key: `${cell}/${seed}`, study: 'unit', cell, seed, profile: 'registered', lockHash: 'a'.repeat(64),
    config: {}, budget: { epochs: 1 }, status: 'ok', metrics, predictions: {}, numClasses: 10, modelFingerprint: null, curve: [],
    timings: { startedAt: '', finishedAt: '', trainSeconds: 0, evaluateSeconds: 0 },
    environment: { node: '', platform: '', cpu: '', cores: 1, backend: 'fake', harnessVersion: '0.1.0', gitCommit: null, gitDirty: null },
    ...extra,
  };
}

/** Records whose test accuracy is `values[cell][seedIndex]` (nll = (100 - accuracy) / 100, validation = test - 1). */
function recordsFrom(study: Study, values: Record<string, number[]>): Map<string, RunRecord> {
  const records = new Map<string, RunRecord>();
  for (const cell of study.cellIds) {
    study.seeds.forEach((seed, s) => {
      const accuracy = values[cell][s];
      records.set(`${cell}/${seed}`, runRecord(cell, seed, {
        test: { accuracy, nll: (100 - accuracy) / 100 },
        validation: { accuracy: accuracy - 1, nll: (101 - accuracy) / 100 },
      }));
    });
  }
  return records;
}

const lookup = (records: Map<string, RunRecord>): RecordLookup => (cell, seed) => records.get(`${cell}/${seed}`) ?? null;

function hypothesis(id: string, effect: HypothesisSpec['effect'], direction: HypothesisSpec['direction'], sesoi: number, family = 'confirmatory', metric?: HypothesisSpec['metric']): HypothesisSpec {
  return { id, claim: `claim ${id}`, effect, direction, sesoi, sesoiReason: `reason ${id}`, family, ...(metric ? { metric } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Independent hand computations.

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

/** Contrast of cell means by hand: estimate, standard error sqrt(MSE · Σ w²/n), residual df (optionally seed as an additive block). */
function handContrast(values: Record<string, number[]>, weights: Record<string, number>, block: boolean) {
  const cells = Object.keys(values);
  const seeds = values[cells[0]].length;
  const cellMean = Object.fromEntries(cells.map((c) => [c, mean(values[c])]));
  const estimate = cells.reduce((a, c) => a + (weights[c] ?? 0) * cellMean[c], 0);
  let ss = 0;
  let df: number;
  if (!block) {
    for (const c of cells) for (const y of values[c]) ss += (y - cellMean[c]) ** 2;
    df = cells.length * seeds - cells.length;
  } else {
    const seedMean = Array.from({ length: seeds }, (_, s) => mean(cells.map((c) => values[c][s])));
    const grand = mean(cells.flatMap((c) => values[c]));
    for (const c of cells) values[c].forEach((y, s) => (ss += (y - cellMean[c] - seedMean[s] + grand) ** 2));
    df = (cells.length - 1) * (seeds - 1);
  }
  const mse = ss / df;
  const standardError = Math.sqrt(mse * cells.reduce((a, c) => a + (weights[c] ?? 0) ** 2 / seeds, 0));
  return { estimate, standardError, df, pValue: 2 * studentTCdf(-Math.abs(estimate / standardError), df) };
}

function handPaired(a: number[], b: number[]) {
  const d = a.map((x, i) => x - b[i]);
  const standardError = Math.sqrt(variance(d) / d.length);
  const estimate = mean(d);
  const df = d.length - 1;
  return { estimate, standardError, df, pValue: 2 * studentTCdf(-Math.abs(estimate / standardError), df) };
}

/** Two-sided t interval at `confidence`. */
const interval = (r: { estimate: number; standardError: number; df: number }, confidence: number) => {
  const half = studentTQuantile(1 - (1 - confidence) / 2, r.df) * r.standardError;
  return { lower: r.estimate - half, upper: r.estimate + half };
};

/** Holm (1979) and Benjamini-Hochberg (1995), written out directly from their definitions. */
function holm(p: number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
  return p.map((_, i) => {
    const rank = order.indexOf(i);
    return Math.max(...order.slice(0, rank + 1).map((j, k) => Math.min(1, (m - k) * p[j])));
  });
}
function bh(p: number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
  return p.map((_, i) => {
    const rank = order.indexOf(i);
    return Math.min(...order.slice(rank).map((j, k) => Math.min(1, (m / (rank + k + 1)) * p[j])));
  });
}

function close(actual: number | null, expected: number, rtol = 1e-9): void {
  expect(actual).not.toBeNull();
  const error = Math.abs(actual! - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(error <= rtol)) throw new Error(`got ${actual}, expected ${expected} (relative error ${error.toExponential(2)} > ${rtol})`);
}

function byId(results: HypothesisResult[], id: string): HypothesisResult {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`no result ${id}`);
  return found;
}

// ---------------------------------------------------------------------------------------------

/** 2x2, 3 seeds: a adds about ten points, b nothing (test accuracy, percent). */
const VALUES: Record<string, number[]> = {
  'a0-b0': [70.1, 71.3, 69.8],
  'a0-b1': [70.9, 69.5, 70.4],
  'a1-b0': [80.2, 79.1, 81.0],
  'a1-b1': [79.7, 80.8, 80.3],
};
const A_MAIN = { 'a1-b0': 0.5, 'a1-b1': 0.5, 'a0-b0': -0.5, 'a0-b1': -0.5 };
const B_MAIN = { 'a0-b1': 0.5, 'a1-b1': 0.5, 'a0-b0': -0.5, 'a1-b0': -0.5 };
const AB = { 'a1-b1': 1, 'a0-b0': 1, 'a1-b0': -1, 'a0-b1': -1 };

const HYPOTHESES = [
  hypothesis('H1', contrast({ a: { a1: 1, a0: -1 } }), 'greater', 3),
  hypothesis('H2', contrast({ b: { b1: 1, b0: -1 } }), 'greater', 3),
  hypothesis('H3', contrast({ a: { a1: 1, a0: -1 }, b: { b1: 1, b0: -1 } }), 'equivalent', 3, 'exploratory'),
  hypothesis('H4', contrast({ a: { a1: 1, a0: -1 } }), 'greater', 10),
];

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

  test('verdicts: supported beyond the SESOI, refuted inside it, equivalence supported, inconclusive below the SESOI with its MDE', () => {
    expect(results.map((r) => [r.id, r.verdict, r.code])).toEqual([
      ['H1', 'supported', 'beyond-sesoi'],
      ['H2', 'refuted', 'within-sesoi'],
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
    expect(r.code).toBe('wrong-direction');
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

  test('a run without metrics on the judged split: that hypothesis is an error, the others are judged and corrected without it', () => {
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
    close(ab.adjustedPValue, ab.pValue!); // a family of one surviving member: Holm leaves it as is
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

describe('validateHypothesis', () => {
  const factorial = threeByTwo();
  const paired = arms(['mlp', 'gbt']);
  const good = hypothesis('H1', contrast({ depth: { 8: 1, 2: -1 } }), 'greater', 0.5);

  function messageOf(study: Study, spec: unknown, seen = new Set<string>()): string {
    try {
      validateHypothesis(study, spec as HypothesisSpec, seen);
    } catch (error) {
      expect(error).toBeInstanceOf(HypothesisDefinitionError);
      return (error as Error).message;
    }
    throw new Error('expected a HypothesisDefinitionError, but nothing was thrown');
  }

  test('accepts well-formed contrasts, interactions, paired differences and top two', () => {
    expect(() => validateHypothesis(factorial, good, new Set())).not.toThrow();
    expect(() => validateHypothesis(factorial, hypothesis('H2', contrast({ depth: { 8: 1, 4: 1, 2: -2 }, act: { gelu: 1, relu: -1 } }), 'less', 1, 'exploratory', 'nll'), new Set(['H1']))).not.toThrow();
    expect(() => validateHypothesis(paired, hypothesis('P', pairedDifference('mlp', 'gbt'), 'equivalent', 1), new Set())).not.toThrow();
    expect(() => validateHypothesis(paired, hypothesis('T', topTwoOnValidation(), 'greater', 1), new Set())).not.toThrow();
  });

  const where = "hypothesis('H1') in study 'unit'";
  const cases: [string, Study, (spec: any) => void, string][] = [
    ['a bad id', factorial, (s) => (s.id = 'H 1'), `hypothesis('H 1') in study 'unit': id must be a short identifier like "H1". Fix: set id.`],
    ['an empty claim', factorial, (s) => (s.claim = ' '), `${where}: claim is missing. Fix: state the claim in words.`],
    ['an unknown direction', factorial, (s) => (s.direction = 'bigger'), `${where}: direction "bigger" is not "greater", "less" or "equivalent". Fix: register the direction or equivalence.`],
    ['a zero SESOI', factorial, (s) => (s.sesoi = 0), `${where}: sesoi must be a positive number, got 0. Fix: register the smallest effect size of interest in the metric's unit (accuracy: percentage points).`],
    ['an infinite SESOI', factorial, (s) => (s.sesoi = Infinity), `${where}: sesoi must be a positive number, got null.`],
    ['a string SESOI', factorial, (s) => (s.sesoi = '1'), `${where}: sesoi must be a positive number, got "1".`],
    ['no SESOI reason', factorial, (s) => delete s.sesoiReason, `${where}: sesoiReason is missing. Fix: say why the SESOI is that number.`],
    ['an undeclared family', factorial, (s) => (s.family = 'primary'), `${where}: family 'primary' is not in the study's analysis.families (confirmatory, exploratory). Fix: use a declared family or declare it in study.ts.`],
    ['an unknown metric', factorial, (s) => (s.metric = 'f1'), `${where}: unknown metric 'f1'. Fix: use accuracy, nll.`],
    ['no effect', factorial, (s) => delete s.effect, `${where}: effect is not contrast(...), pairedDifference(...) or topTwoOnValidation(). Fix: build the effect with one of those helpers.`],
    ['a contrast in a paired study', paired, () => {}, `${where}: a contrast needs a factorial study. Fix: use pairedDifference() for arms.`],
    ['an unknown factor', factorial, (s) => (s.effect = contrast({ width: { 8: 1, 2: -1 } })), `${where}: unknown factor 'width'. Fix: use one of depth, act.`],
    ['an unknown level', factorial, (s) => (s.effect = contrast({ depth: { 16: 1, 2: -1 } })), `${where}: factor 'depth' has no level '16'. Fix: use 2, 4, 8.`],
    ['weights that do not sum to zero', factorial, (s) => (s.effect = contrast({ depth: { 8: 1, 2: -0.5 } })), `${where}: the weights of factor 'depth' sum to 0.5, not 0. Fix: a contrast compares levels: weights must sum to zero, e.g. { 8: 1, 2: -1 }.`],
    ['a contrast that names no factor', factorial, (s) => (s.effect = contrast({})), `${where}: the contrast names no factor. Fix: name the levels it compares, e.g. contrast({ depth: { 8: 1, 2: -1 } }).`],
    ['a factor whose weights are all zero', factorial, (s) => (s.effect = contrast({ depth: { 8: 0, 2: 0 } })), `${where}: the weights of factor 'depth' are all zero. Fix: give the levels compared non-zero weights that sum to zero, e.g. { 8: 1, 2: -1 }.`],
  ];
  test.each(cases)('rejects %s, naming the problem and the fix', (_name, study, edit, expected) => {
    const spec: any = { ...good };
    edit(spec);
    expect(messageOf(study, spec)).toContain(expected);
  });

  test('rejects a duplicate id', () => {
    expect(messageOf(factorial, good, new Set(['H1']))).toBe(`${where}: id 'H1' is used twice. Fix: give every hypothesis its own id.`);
  });

  test('rejects a paired difference of unknown or identical cells, and top two with one arm', () => {
    expect(messageOf(paired, hypothesis('H1', pairedDifference('mlp', 'svm'), 'greater', 1))).toBe(`${where}: no cell 'svm'. Fix: use mlp, gbt.`);
    expect(messageOf(paired, hypothesis('H1', pairedDifference('mlp', 'mlp'), 'greater', 1))).toBe(`${where}: compares a cell with itself. Fix: name two different cells.`);
    expect(messageOf(arms(['only']), hypothesis('H1', topTwoOnValidation(), 'greater', 1))).toBe(`${where}: top-two needs at least two cells. Fix: declare more arms.`);
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

describe('summariseStudy', () => {
  const study = twoByTwo();
  const summary = summariseStudy(study, lookup(recordsFrom(study, VALUES)), 'registered')!;

  test('per-cell means and t intervals of every metric and split, over seeds', () => {
    const cell = summary.cells.find((c) => c.cell === 'a1-b0')!;
    const values = VALUES['a1-b0'];
    close(cell.metrics['test.accuracy'].mean, mean(values));
    const half = studentTQuantile(0.975, 2) * Math.sqrt(variance(values) / 3);
    close(cell.metrics['test.accuracy'].lower, mean(values) - half);
    close(cell.metrics['validation.accuracy'].mean, mean(values) - 1);
    expect(cell.n).toBe(3);
    expect(cell.diverged).toBe(0);
  });

  test('the ANOVA of the primary metric: main effect of a equals the hand sum of squares', () => {
    const grand = mean(Object.values(VALUES).flat());
    const a1 = mean([...VALUES['a1-b0'], ...VALUES['a1-b1']]);
    const a0 = mean([...VALUES['a0-b0'], ...VALUES['a0-b1']]);
    const row = summary.anova!.rows.find((r) => r.term === 'a')!;
    close(row.sumOfSquares, 6 * ((a1 - grand) ** 2 + (a0 - grand) ** 2), 1e-9);
    expect(summary.anova!.residual.df).toBe(8);
  });

  test('null when a registered run is missing', () => {
    const records = recordsFrom(study, VALUES);
    records.delete('a0-b0/2');
    expect(summariseStudy(study, lookup(records), 'registered')).toBeNull();
  });
});

function byIdS<T extends { id: string }>(results: T[], id: string): T {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`no result ${id}`);
  return found;
}
