import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { brierScore } from './brierScore.ts';
import { referenceCases } from '../../fixtures/stats/classificationMetrics.ts';
import { classificationOutcomes } from './classificationOutcomes.ts';

describe('brierScore (multi-class) against its NumPy definition', () => {
  // fixtures/stats/classification_metrics.py: brier(small, [0,1,1,2,0,2]) → 0.7066666666666667
  //   = mean of ((p - onehot)**2).sum(axis=1) over the six rows below.
  test('six examples by hand', () => {
    const probabilities = [0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.8, 0.1, 0.4, 0.35, 0.25, 0.3, 0.45, 0.25];
    const outcomes = classificationOutcomes(probabilities, [0, 1, 1, 2, 0, 2], { numClasses: 3 });
    assertClose(brierScore(outcomes), 0.7066666666666667, 1e-14, 'Brier vs NumPy');
  });

  test.each(referenceCases)('$name: $commands.brierScore', ({ outcomes, expected }) => {
    assertClose(brierScore(outcomes), expected.brierScore, 1e-12, 'Brier vs NumPy');
  });

  test('0 for a certain right answer, 2 for a certain wrong one, 1 - 1/K for a uniform guess', () => {
    expect(brierScore({ trueClassProbability: [1], sumOfSquaredProbabilities: [1] })).toBe(0);
    expect(brierScore({ trueClassProbability: [0], sumOfSquaredProbabilities: [1] })).toBe(2);
    expect(brierScore({ trueClassProbability: [0.25], sumOfSquaredProbabilities: [0.25] })).toBeCloseTo(0.75, 15);
  });

  test('rejects bad inputs', () => {
    expect(() => brierScore({ trueClassProbability: [], sumOfSquaredProbabilities: [] })).toThrow(/no examples/);
    expect(() => brierScore({ trueClassProbability: [0.5], sumOfSquaredProbabilities: [] })).toThrow(/0 values for 1 examples/);
    expect(() => brierScore({ trueClassProbability: [0.9], sumOfSquaredProbabilities: [0.5] })).toThrow(/below its true class's square/);
  });
});
