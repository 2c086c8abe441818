import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { welchTTest } from './welchTTest.ts';
import { studentTTest } from './studentTTest.ts';

// R references (sleep data) are checked in tTests.test.ts; properties in tTests.properties.test.ts.
describe('welchTTest', () => {
  test('equals the pooled test when sizes and variances are equal', () => {
    const a = [1, 2, 3, 4];
    const b = [2, 3, 4, 5];
    const welch = welchTTest(a, b);
    const pooled = studentTTest(a, b);
    assertClose(welch.df, pooled.df, 1e-12, 'df');
    assertClose(welch.lower, pooled.lower, 1e-12, 'lower');
    assertClose(welch.pValue, pooled.pValue, 1e-12, 'p');
  });

  test('handles unequal sample sizes and one constant sample', () => {
    // R 4.2.2: x <- t.test(c(1, 1, 1), c(2, 4, 3, 5)); print(c(x$statistic, x$parameter, x$p.value), digits = 17)
    const result = welchTTest([1, 1, 1], [2, 4, 3, 5]);
    assertClose(result.statistic, -3.872983346207417, 1e-9, 't vs R');
    assertClose(result.df, 3, 1e-12, 'df vs R');
    assertClose(result.pValue, 0.030466291662170977, 1e-9, 'p-value vs R');
  });
});
