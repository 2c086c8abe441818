import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/tTests.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { meanInterval } from './meanInterval.ts';

describe('meanInterval against R t.test', () => {
  // Source: fixtures/stats/tTests.json (reference.R), commands shown as test names.
  test.each(reference.meanIntervals)('$command', ({ input, confidence, expected }) => {
    const result = meanInterval(input, { confidence });
    for (const key of ['estimate', 'lower', 'upper', 'df', 'standardError'] as const) {
      assertClose(result[key], expected[key], 1e-9, `${key} vs R`);
    }
    expect(result.confidence).toBe(confidence);
  });

  test('defaults to 95% and accepts typed arrays', () => {
    const values = Float64Array.from([0.8712, 0.8698, 0.8741]);
    expect(meanInterval(values)).toEqual(meanInterval([0.8712, 0.8698, 0.8741], { confidence: 0.95 }));
  });
});

describe('meanInterval rejects bad input with InvalidInputError', () => {
  test.each([
    ['an empty array', [], /meanInterval: values has 0 value\(s\) but needs at least 2 values/],
    ['a single value', [0.9], /at least 2 values/],
    ['NaN', [0.9, Number.NaN, 0.8], /values\[1\] is NaN/],
    ['Infinity', [0.9, Infinity], /values\[1\] is Infinity/],
    ['constant data', [0.9, 0.9, 0.9], /essentially constant/],
  ])('%s', (_, values, message) => {
    expect(() => meanInterval(values as number[], { confidence: 0.95 })).toThrow(InvalidInputError);
    expect(() => meanInterval(values as number[], { confidence: 0.95 })).toThrow(message);
  });

  test.each([0, 1, 1.5, -0.1, Number.NaN])('confidence %s', (confidence) => {
    expect(() => meanInterval([1, 2, 3], { confidence })).toThrow(/meanInterval: confidence .* is outside \(0, 1\)/);
  });
});
