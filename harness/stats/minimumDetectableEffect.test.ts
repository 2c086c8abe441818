import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/minimumDetectableEffect.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { minimumDetectableEffect } from './minimumDetectableEffect.ts';

describe('minimumDetectableEffect', () => {
  // Source: fixtures/stats/minimumDetectableEffect.json (reference.R). "approximation" is the
  // formula with R's qt; "delta" is R's exact power.t.test answer for a one-sample t test.
  test.each(reference.cases)('$command', ({ standardError, df, alpha, power, delta, approximation }) => {
    const mde = minimumDetectableEffect({ standardError, df, alpha, power });
    assertClose(mde, approximation, 1e-9, 'formula with R quantiles');
    // The documented error of the approximation: optimistic by at most 5.2% (df = 2), 1.2% (df = 4).
    expect(mde).toBeLessThanOrEqual(delta * 1.001);
    expect(mde).toBeGreaterThan(delta * (df <= 2 ? 0.948 : df <= 4 ? 0.988 : 0.995));
  });

  test('one-sided uses t_{1-alpha}: smaller than two-sided, same for greater and less', () => {
    const args = { standardError: 0.004, df: 34, alpha: 0.05, power: 0.8 };
    const twoSided = minimumDetectableEffect(args);
    const greater = minimumDetectableEffect({ ...args, alternative: 'greater' });
    expect(greater).toBeLessThan(twoSided);
    expect(minimumDetectableEffect({ ...args, alternative: 'less' })).toBe(greater);
    // R 4.2.2: (qt(0.975, 34) + qt(0.8, 34)) * 0.004 = 0.011538262713808886
    assertClose(twoSided, 0.011538262713808886, 1e-9, 'doc example vs R');
  });

  test('scales linearly with the standard error', () => {
    const base = minimumDetectableEffect({ standardError: 1, df: 10, alpha: 0.05, power: 0.9 });
    assertClose(minimumDetectableEffect({ standardError: 0.01, df: 10, alpha: 0.05, power: 0.9 }), base * 0.01, 1e-14, 'linear');
  });

  test('rejects bad arguments with InvalidInputError', () => {
    const ok = { standardError: 1, df: 10, alpha: 0.05, power: 0.8 };
    expect(() => minimumDetectableEffect({ ...ok, standardError: 0 })).toThrow(InvalidInputError);
    expect(() => minimumDetectableEffect({ ...ok, df: 0 })).toThrow(/minimumDetectableEffect: df is 0/);
    expect(() => minimumDetectableEffect({ ...ok, alpha: 1 })).toThrow(/alpha is 1/);
    expect(() => minimumDetectableEffect({ ...ok, power: 80 })).toThrow(/power is 80/);
  });
});
