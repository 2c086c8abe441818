import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { studentTTest } from './studentTTest.ts';

// R references (sleep data) are checked in tTests.test.ts; properties in tTests.properties.test.ts.
describe('studentTTest', () => {
  test('pools the variances over n_a + n_b - 2 degrees of freedom', () => {
    // R 4.2.2: x <- t.test(c(2.1, 3.4, 1.9, 4.4, 3.0), c(1.2, 0.7, 2.2), var.equal = TRUE)
    //          print(c(x$statistic, x$p.value, x$conf.int), digits = 17)
    const result = studentTTest([2.1, 3.4, 1.9, 4.4, 3.0], [1.2, 0.7, 2.2]);
    expect(result.df).toBe(6);
    assertClose(result.statistic, 2.3216652627694363, 1e-9, 't vs R');
    assertClose(result.pValue, 0.059313578204250074, 1e-9, 'p-value vs R');
    assertClose(result.lower, -0.08595535598743774, 1e-9, 'lower vs R');
    assertClose(result.upper, 3.2726220226541045, 1e-9, 'upper vs R');
    assertClose(result.estimate, 2.96 - 4.1 / 3, 1e-12, 'estimate');
  });
});
