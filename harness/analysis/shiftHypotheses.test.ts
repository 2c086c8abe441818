/**
 * Issue 13: hypotheses on the shift split, the shift drop (test minus shift, paired by seed), any metric, and metrics a
 * record does not store, judged on synthetic records with answers computed by hand.
 */
import { describe, expect, test } from 'vitest';
import { MetricUnavailableError } from '../errors.ts';
import { verdictLine } from '../verdictLine.ts';
import { encodePredictions, evaluatePredictions, type MetricValues } from '../metrics.ts';
import { shiftGroupTable, splitNote, verdictRows } from '../../reporters/render/verdictTable.ts';
import type { RunRecord } from '../store.ts';
import { analyseStudy, designSensitivity, pairedDifference, runMetric, shiftDrop, summariseStudy, type HypothesisSpec } from './index.ts';
import { arms, byId, close, dataset, handPaired, hypothesis, interval, lookup, mean, runRecord } from '../../fixtures/analysis.ts';

const study = arms(['mlp', 'gbt'], [1, 2, 3, 4], { dataset: { ...dataset, hasShift: true } });

// Accuracy (percent) and ECE (percent) per arm and seed on each split. mlp loses about 12 points under shift, gbt about 2.5;
// on test they are close; ECE grows under shift.
const ACCURACY = {
  mlp: { validation: [88.0, 88.4, 87.9, 88.2], test: [88.1, 88.6, 87.8, 88.3], shift: [76.3, 76.1, 75.2, 76.9] },
  gbt: { validation: [87.6, 87.9, 87.5, 87.7], test: [87.9, 88.0, 87.4, 88.1], shift: [85.4, 85.3, 84.9, 85.6] },
};
const ECE = {
  mlp: { validation: [1.1, 1.3, 1.0, 1.2], test: [1.2, 1.4, 1.1, 1.0], shift: [7.9, 8.8, 8.1, 9.3] },
  gbt: { validation: [2.0, 2.2, 2.1, 1.9], test: [2.1, 2.0, 2.3, 1.8], shift: [3.0, 3.1, 2.8, 3.3] },
};
type Arm = keyof typeof ACCURACY;
const SPLITS = ['validation', 'test', 'shift'] as const;

function records(): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  for (const arm of ['mlp', 'gbt'] as Arm[]) {
    study.seeds.forEach((seed, s) => {
      const metrics: Record<string, MetricValues> = {};
      for (const split of SPLITS) metrics[split] = { accuracy: ACCURACY[arm][split][s], nll: 0.3, macroF1: ACCURACY[arm][split][s] - 0.5, ece: ECE[arm][split][s], brier: 0.2 };
      out.set(`${arm}/${seed}`, runRecord(arm, seed, metrics));
    });
  }
  return out;
}

const spec = (id: string, effect: HypothesisSpec['effect'], direction: HypothesisSpec['direction'], sesoi: number, extra: Partial<HypothesisSpec> = {}): HypothesisSpec =>
  ({ ...hypothesis(id, effect, direction, sesoi), ...extra });

const HYPOTHESES: HypothesisSpec[] = [
  spec('S1', pairedDifference('gbt', 'mlp'), 'greater', 3, { split: 'shift' }),     // gbt − mlp on shift ≈ +9.2: supported
  spec('S2', pairedDifference('gbt', 'mlp'), 'greater', 3),                         // the same on test ≈ −0.35: refuted
  spec('D1', shiftDrop('mlp'), 'greater', 5),                                       // mlp's drop ≈ 12.1: supported
  spec('D2', shiftDrop('gbt'), 'greater', 5),                                       // gbt's drop ≈ 2.55: refuted
  spec('D3', shiftDrop('mlp'), 'less', 2, { metric: 'ece' }),                       // ECE test − shift ≈ −7.6 pp: supported
  spec('E1', pairedDifference('gbt', 'mlp'), 'less', 2, { metric: 'ece', split: 'shift' }), // gbt − mlp ECE on shift ≈ −5.7: supported
];

describe('hypotheses on the shift split and the shift drop (registered profile)', () => {
  const results = analyseStudy(study, HYPOTHESES, lookup(records()), 'registered');

  test('a shift hypothesis is the paired difference of the shift values, by hand; the result names the split', () => {
    const r = byId(results, 'S1');
    const hand = handPaired(ACCURACY.gbt.shift, ACCURACY.mlp.shift);
    close(r.estimate, hand.estimate);
    close(r.standardError, hand.standardError);
    const { lower, upper } = interval(hand, r.confidence);
    close(r.lower, lower);
    close(r.upper, upper);
    expect(r).toMatchObject({ split: 'shift', registeredSplit: 'shift', metric: 'accuracy', unit: 'pp', verdict: 'supported' });
    expect(r.shiftDrop).toBeUndefined();
  });

  test('without a split the hypothesis is judged on test, and its result has no registeredSplit (old results unchanged)', () => {
    const r = byId(results, 'S2');
    close(r.estimate, handPaired(ACCURACY.gbt.test, ACCURACY.mlp.test).estimate);
    expect(r.split).toBe('test');
    expect('registeredSplit' in r).toBe(false);
    expect(r.verdict).toBe('refuted');
  });

  test('a shift drop is test minus shift of one arm, paired by seed (paired t over seeds), by hand', () => {
    for (const [id, arm, verdict] of [['D1', 'mlp', 'supported'], ['D2', 'gbt', 'refuted']] as const) {
      const r = byId(results, id);
      const hand = handPaired(ACCURACY[arm].test, ACCURACY[arm].shift);
      close(r.estimate, hand.estimate);
      close(r.standardError, hand.standardError);
      close(r.pValue, hand.pValue, 1e-8);
      expect(r.df).toBe(3);
      const { lower, upper } = interval(hand, r.confidence);
      close(r.lower, lower);
      close(r.upper, upper);
      expect(r).toMatchObject({ verdict, split: 'shift', registeredSplit: 'shift', shiftDrop: { arm }, effect: `${arm}: test − shift (paired by seed)` });
    }
  });

  test('any metric: the drop and the shift comparison in ECE (pp, lower is better)', () => {
    const d3 = byId(results, 'D3');
    close(d3.estimate, handPaired(ECE.mlp.test, ECE.mlp.shift).estimate);
    expect(d3).toMatchObject({ metric: 'ece', unit: 'pp', verdict: 'supported' });
    const e1 = byId(results, 'E1');
    close(e1.estimate, handPaired(ECE.gbt.shift, ECE.mlp.shift).estimate);
    expect(e1.verdict).toBe('supported');
  });

  test('the Bonferroni family counts every hypothesis, shift ones included', () => {
    for (const r of results) expect(r.familySize).toBe(HYPOTHESES.length);
  });

  test('reports say what the numbers are: the drop with its label, the shift split pooled', () => {
    expect(splitNote(byId(results, 'D1'))).toBe('accuracy, mlp: test − shift (paired by seed)');
    expect(splitNote(byId(results, 'S1'))).toBe('accuracy on the shift split (pooled over its corruptions)');
    expect(splitNote(byId(results, 'S2'))).toBeNull();
    const rows = verdictRows({ hypotheses: results } as never);
    expect(rows[2][0]).toBe('D1 claim D1 [accuracy, mlp: test − shift (paired by seed)]');
    expect(rows[1][0]).toBe('S2 claim S2');
  });

  test('a diverged run counts at chance on test and on shift under substitute-chance: its drop is 0', () => {
    const withDiverged = records();
    withDiverged.set('mlp/2', runRecord('mlp', 2, {}, { status: 'diverged' }));
    const [r] = analyseStudy(study, [spec('D1', shiftDrop('mlp'), 'greater', 5)], lookup(withDiverged), 'registered');
    const test = [...ACCURACY.mlp.test];
    const shift = [...ACCURACY.mlp.shift];
    test[1] = shift[1] = 10; // 10 classes: chance accuracy 10 %
    close(r.estimate, handPaired(test, shift).estimate);
    expect(r.diverged).toEqual(['mlp/seed-2']);
  });
});

describe('quick and pilot profiles open no sealed split', () => {
  const results = analyseStudy(study, HYPOTHESES, lookup(records()), 'quick');

  test('a shift hypothesis is judged on the uncorrupted validation split, and says so', () => {
    const r = byId(results, 'S1');
    close(r.estimate, handPaired(ACCURACY.gbt.validation, ACCURACY.mlp.validation).estimate);
    expect(r).toMatchObject({ split: 'validation', registeredSplit: 'shift' });
    expect(splitNote(r)).toBe('accuracy on validation, standing in for the registered shift split');
  });

  test('a shift drop cannot be estimated: inconclusive with no estimate, code needs-sealed-splits, never an error', () => {
    const r = byId(results, 'D1');
    expect(r).toMatchObject({ verdict: 'inconclusive', code: 'needs-sealed-splits', estimate: null, lower: null, adjustedPValue: null, split: 'validation', registeredSplit: 'shift' });
    expect(r.reason).toMatch(/only the registered profile opens/);
  });
});

describe('metrics a record does not store', () => {
  const probabilities = new Float32Array([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.8, 0.1, 0.4, 0.35, 0.25, 0.3, 0.45, 0.25]);
  const labels = new Uint8Array([0, 1, 1, 2, 0, 2]);
  const groups = new Uint8Array([0, 1, 0, 1, 0, 1]);
  const evaluated = evaluatePredictions(probabilities, labels, 3, { eceBins: 5, groups, groupNames: ['blur-1', 'rotate-2'] });
  const full = runRecord('mlp', 1, { test: evaluated.metrics }, { numClasses: 3, predictions: { test: encodePredictions(evaluated.examples, labels, ['blur-1', 'rotate-2']) }, groupMetrics: { test: evaluated.byGroup! } });
  const { ece: _e, brier: _b, macroF1: _f, ...accuracyAndNll } = evaluated.metrics;
  const older = { ...full, metrics: { test: accuracyAndNll, validation: accuracyAndNll } };

  test('ECE and Brier are computed from the stored per-example predictions when the record lacks them', () => {
    close(runMetric(older, 'test', 'ece', 'chance', { eceBins: 5 }), evaluated.metrics.ece!, 1e-6);
    close(runMetric(older, 'test', 'brier', 'chance'), evaluated.metrics.brier!, 1e-6);
    expect(runMetric(full, 'test', 'ece', 'chance', { eceBins: 5 })).toBe(evaluated.metrics.ece);
  });

  test('per group: the stored group metrics', () => {
    expect(runMetric(full, 'test', 'accuracy', 'chance', { group: 'rotate-2' })).toBe(evaluated.byGroup!['rotate-2'].accuracy);
    expect(runMetric(full, 'test', 'accuracy', 'chance', { group: 'fog-9' })).toBeNull();
  });

  test('a named error when neither the metric nor the data to compute it is stored', () => {
    expect(() => runMetric(older, 'test', 'macroF1', 'chance')).toThrow(MetricUnavailableError);
    expect(() => runMetric(older, 'test', 'macroF1', 'chance')).toThrow(/needs each example's true class/);
    expect(() => runMetric(older, 'validation', 'ece', 'chance')).toThrow(/keeps no per-example predictions/);
    const ablationStyle = { ...older, predictions: { test: { ...older.predictions.test!, topClassProbability: undefined, sumOfSquaredProbabilities: undefined } } };
    expect(() => runMetric(ablationStyle, 'test', 'ece', 'chance')).toThrow(/lack the top-class probability/);
  });

  test('a hypothesis on a metric its records cannot give is an error verdict that names the problem', () => {
    const small = arms(['mlp', 'gbt'], [1, 2]);
    const recs = new Map<string, RunRecord>();
    for (const cell of ['mlp', 'gbt']) for (const seed of [1, 2]) recs.set(`${cell}/${seed}`, { ...older, cell, seed });
    const [r] = analyseStudy(small, [hypothesis('F', pairedDifference('mlp', 'gbt'), 'greater', 1, 'confirmatory', 'macroF1')], lookup(recs), 'registered');
    expect(r.verdict).toBe('error');
    expect(r.reason).toMatch(/^MetricUnavailableError: run mlp\/seed-1/);
  });
});

describe('the shift split by corruption in the summary and the reports', () => {
  const groupRecords = (): Map<string, RunRecord> => {
    const out = records();
    for (const [key, record] of out) {
      const shift = record.metrics.shift!;
      // Two corruptions of equal size: the pooled value is their mean.
      out.set(key, { ...record, groupMetrics: { shift: { 'rotate-4': { ...shift, accuracy: shift.accuracy - 5 }, 'gaussian-blur-5': { ...shift, accuracy: shift.accuracy + 5 } } } });
    }
    return out;
  };

  test('summariseStudy gives each cell a mean per corruption beside the pooled shift, in registration order', () => {
    const summary = summariseStudy(study, lookup(groupRecords()), 'registered')!;
    expect(summary.groups).toEqual({ split: 'shift', names: ['rotate-4', 'gaussian-blur-5'] });
    const mlp = summary.cells.find((c) => c.cell === 'mlp')!;
    close(mlp.metrics['shift.accuracy'].mean, mean(ACCURACY.mlp.shift));
    close(mlp.metrics['shift/rotate-4.accuracy'].mean, mean(ACCURACY.mlp.shift) - 5);
    close(mlp.metrics['shift/gaussian-blur-5.accuracy'].mean, mean(ACCURACY.mlp.shift) + 5);
    // Without groups nothing is added (old summaries unchanged).
    const plain = summariseStudy(study, lookup(records()), 'registered')!;
    expect('groups' in plain).toBe(false);
    expect(Object.keys(plain.cells[0].metrics).some((k) => k.includes('/'))).toBe(false);
    expect(summariseStudy(study, lookup(groupRecords()), 'quick')!.groups).toBeUndefined();
  });

  test('the reports show a table per registered metric: cell, pooled shift, each corruption', () => {
    const summary = summariseStudy(study, lookup(groupRecords()), 'registered')!;
    const table = shiftGroupTable({ summary, design: { seeds: study.seeds, metrics: study.metrics } } as never)!;
    expect(table.header).toEqual(['cell', 'shift', 'rotate-4', 'gaussian-blur-5']);
    expect(table.rows[0]).toEqual(['mlp', mean(ACCURACY.mlp.shift).toFixed(2), (mean(ACCURACY.mlp.shift) - 5).toFixed(2), (mean(ACCURACY.mlp.shift) + 5).toFixed(2)]);
    expect(table.title).toBe('shift split by corruption: accuracy (%), mean over 4 seeds; "shift" pools every corruption');
    expect(shiftGroupTable({ summary: summariseStudy(study, lookup(records()), 'registered'), design: { seeds: study.seeds, metrics: study.metrics } } as never)).toBeNull();
  });
});

describe('the pilot before the lock (validation only)', () => {
  const piloted = arms(['mlp', 'gbt'], [1, 2, 3, 4], { dataset: { ...dataset, hasShift: true }, pilot: { cells: ['mlp', 'gbt'], seeds: [101, 102, 103], reason: 'spread' } });
  const pilotRecords = new Map<string, RunRecord>();
  for (const arm of ['mlp', 'gbt'] as Arm[]) [101, 102, 103].forEach((seed, s) => pilotRecords.set(`${arm}/${seed}`, runRecord(arm, seed, { validation: { accuracy: ACCURACY[arm].validation[s], nll: 0.3, ece: ECE[arm].validation[s] } }, { profile: 'pilot' })));

  test('a shift drop is not estimable; a shift hypothesis is planned with the validation spread, and says so', () => {
    const [s1, , d1] = designSensitivity(piloted, HYPOTHESES, lookup(pilotRecords), { testExamples: 1000 });
    expect(d1).toMatchObject({ id: 'D1', sigma: null, minimumDetectableEffect: null, decidable: null });
    expect(d1.assessment).toMatch(/^not estimable from a validation-only pilot/);
    expect(s1.sigma).not.toBeNull();
    expect(s1.assessment).toContain('the spread is measured on the uncorrupted validation split, standing in for the shift split');
  });
});

describe('the verdict line (Vitest annotation) names the split', () => {
  test('a shift hypothesis says "on shift"; a shift drop\'s label names both splits; a test hypothesis is unchanged', () => {
    const results = analyseStudy(study, HYPOTHESES, lookup(records()), 'registered');
    expect(verdictLine(byId(results, 'S1'))).toMatch(/^supported: gbt − mlp \(paired by seed\) on shift = \+/);
    expect(verdictLine(byId(results, 'D1'))).toMatch(/^supported: mlp: test − shift \(paired by seed\) = \+/);
    expect(verdictLine(byId(results, 'S2'))).toMatch(/^refuted: gbt − mlp \(paired by seed\) = /);
    const quick = analyseStudy(study, HYPOTHESES, lookup(records()), 'quick');
    expect(verdictLine(byId(quick, 'S1'))).toContain('gbt − mlp (paired by seed) on validation (standing in for shift) = ');
  });
});
