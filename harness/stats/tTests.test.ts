import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/tTests.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { pairedTTest } from './pairedTTest.ts';
import { studentTTest } from './studentTTest.ts';
import type { TTestResult } from './tInference.ts';
import type { Alternative } from './validate.ts';
import { welchTTest } from './welchTTest.ts';

// The three two-sample t tests share one result contract; their R references live together in
// fixtures/stats/tTests.json (R's sleep data, ?t.test). Per-function edge cases are in
// welchTTest.test.ts, studentTTest.test.ts and pairedTTest.test.ts.
const tests = { welchTTest, studentTTest, pairedTTest };
const { group1, group2 } = reference.input;

describe('t tests against R t.test on the sleep data', () => {
  test.each(reference.tTests)('$fn: $command', ({ fn, alternative, confidence, expected }) => {
    const result: TTestResult = tests[fn as keyof typeof tests](group1, group2, {
      alternative: alternative as Alternative,
      confidence,
    });
    for (const key of ['statistic', 'df', 'pValue', 'estimate', 'lower', 'upper', 'standardError'] as const) {
      assertClose(result[key], expected[key], 1e-9, `${fn} ${key} vs R (${alternative}, ${confidence})`);
    }
  });
});

describe.each(Object.entries(tests))('%s input checks', (name, fn) => {
  test('rejects too few values, NaN and Infinity with InvalidInputError naming the function', () => {
    expect(() => fn([], [1, 2])).toThrow(InvalidInputError);
    expect(() => fn([1], [1, 2])).toThrow(new RegExp(`${name}: a has 1 value\\(s\\) but needs at least 2 values`));
    expect(() => fn([1, 2], [1, Number.NaN])).toThrow(new RegExp(`${name}: b\\[1\\] is NaN`));
    expect(() => fn([1, Infinity], [1, 2])).toThrow(/a\[1\] is Infinity/);
  });

  test('rejects a confidence outside (0, 1) and an unknown alternative', () => {
    expect(() => fn([1, 2, 3], [2, 3, 5], { confidence: 95 })).toThrow(/confidence 95 is outside \(0, 1\)/);
    expect(() => fn([1, 2, 3], [2, 3, 5], { alternative: 'two.sided' as Alternative })).toThrow(
      /alternative 'two.sided' is unknown/,
    );
  });

  test('rejects constant data (zero standard error) as R does', () => {
    expect(() => fn([1, 1, 1], [2, 2, 2])).toThrow(/essentially constant/);
  });

  test('one-sided intervals have one infinite bound', () => {
    const a = [0.91, 0.93, 0.92, 0.95];
    const b = [0.9, 0.91, 0.93, 0.92];
    expect(fn(a, b, { alternative: 'greater' }).upper).toBe(Infinity);
    expect(fn(a, b, { alternative: 'less' }).lower).toBe(-Infinity);
  });
});
