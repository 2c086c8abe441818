import { studentTQuantile } from '../stats/distributions.ts';
import { summariseStudy } from './index.ts';
import { describe, expect, test } from 'vitest';
import {
  A_MAIN, AB, arms, B_MAIN, base, bh, byId, byIdS, close, handContrast, handPaired, holm, hypothesis, HYPOTHESES, interval, lookup, mean, recordsFrom, runRecord, threeByTwo, twoByTwo, VALUES, variance,
} from '../../fixtures/analysis.ts';

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
