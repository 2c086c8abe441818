import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/wilcoxon.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import type { Alternative } from './validate.ts';
import { wilcoxonSignedRank } from './wilcoxonSignedRank.ts';

describe('wilcoxonSignedRank against R wilcox.test(paired = TRUE)', () => {
  // Source: fixtures/stats/wilcoxon.json (reference.R): the ?wilcox.test depression example
  // (Hollander & Wolfe 1973, p. 29; exact), R's sleep data (ties and a zero: normal approximation
  // with continuity correction) and 60 pairs (n >= 50: normal approximation).
  test.each(reference.cases)('$name: $command', ({ a, b, alternative, expected }) => {
    const result = wilcoxonSignedRank(a, b, { alternative: alternative as Alternative });
    expect(result.statistic).toBe(expected.statistic);
    expect(result.exact).toBe(expected.exact);
    assertClose(result.pValue, expected.pValue, 1e-9, 'p-value vs R');
  });

  test('five pairs cannot reach p < 0.0625 two-sided (DESIGN.md)', () => {
    const result = wilcoxonSignedRank([0.91, 0.92, 0.93, 0.94, 0.95], [0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(result).toEqual({ statistic: 15, pValue: 0.0625, exact: true });
  });

  test('rejects unequal lengths, empty samples, NaN and all-zero differences', () => {
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(InvalidInputError);
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(/wilcoxonSignedRank: a has 2 values but b has 1/);
    expect(() => wilcoxonSignedRank([], [])).toThrow(/a has 0 value\(s\)/);
    expect(() => wilcoxonSignedRank([1, Number.NaN], [1, 2])).toThrow(/a\[1\] is NaN/);
    expect(() => wilcoxonSignedRank([1, 2], [1, 2])).toThrow(/every difference a\[i\] - b\[i\] is zero/);
    expect(() => wilcoxonSignedRank([1, 2], [2, 1], { alternative: 'up' as Alternative })).toThrow(/alternative 'up'/);
  });
});
