import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/mcnemar.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { mcnemarTest } from './mcnemarTest.ts';

describe('mcnemarTest against R mcnemar.test and binom.test', () => {
  // Source: fixtures/stats/mcnemar.json (reference.R); the Performance table is the ?mcnemar.test
  // example (Agresti 1990): 150 approve -> disapprove, 86 disapprove -> approve.
  test.each(reference.cases)('$name: $command', ({ onlyA, onlyB, exact, expected }) => {
    const result = mcnemarTest({ onlyA, onlyB }, { exact });
    assertClose(result.statistic, expected.statistic, 1e-12, 'statistic vs R');
    assertClose(result.pValue, expected.pValue, 1e-9, 'p-value vs R');
  });

  test('the p-value does not depend on which model is A', () => {
    for (const exact of [true, false]) {
      expect(mcnemarTest({ onlyA: 3, onlyB: 12 }, { exact }).pValue).toBe(mcnemarTest({ onlyA: 12, onlyB: 3 }, { exact }).pValue);
    }
  });

  test('rejects bad counts, a missing choice of variant and no discordant pairs', () => {
    expect(() => mcnemarTest({ onlyA: -1, onlyB: 3 }, { exact: true })).toThrow(InvalidInputError);
    expect(() => mcnemarTest({ onlyA: 1.5, onlyB: 3 }, { exact: true })).toThrow(/mcnemarTest: onlyA is 1.5/);
    expect(() => mcnemarTest({ onlyA: 1, onlyB: 3 }, {} as { exact: boolean })).toThrow(/options.exact is undefined/);
    expect(() => mcnemarTest({ onlyA: 0, onlyB: 0 }, { exact: false })).toThrow(/no discordant pairs/);
  });
});
