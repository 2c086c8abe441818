import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { meanInterval } from './meanInterval.ts';
import { pairedTTest } from './pairedTTest.ts';

// R references (sleep data) are checked in tTests.test.ts; properties in tTests.properties.test.ts.
describe('pairedTTest', () => {
  test('is the one-sample t interval of the differences', () => {
    const a = [0.912, 0.915, 0.909, 0.921, 0.917];
    const b = [0.905, 0.911, 0.904, 0.915, 0.909];
    const paired = pairedTTest(a, b, { confidence: 0.9 });
    const direct = meanInterval(a.map((x, i) => x - b[i]), { confidence: 0.9 });
    assertClose(paired.lower, direct.lower, 1e-12, 'lower');
    assertClose(paired.upper, direct.upper, 1e-12, 'upper');
    expect(paired.df).toBe(4);
  });

  test('rejects samples of different length: pairs must be seed-matched', () => {
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(InvalidInputError);
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(/pairedTTest: a has 3 values but b has 2/);
  });

  test('rejects identical differences (zero standard error)', () => {
    expect(() => pairedTTest([1, 2, 3], [0, 1, 2])).toThrow(/essentially constant/);
  });
});
