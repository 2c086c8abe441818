import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { referenceCases } from '../../fixtures/stats/classificationMetrics.ts';
import { negativeLogLikelihood } from './negativeLogLikelihood.ts';

describe('negativeLogLikelihood against scikit-learn log_loss', () => {
  // /usr/bin/python3 -c "from sklearn.metrics import log_loss; print(log_loss([0,1,1,2,0,2], [[.7,.2,.1],[.6,.3,.1],
  //   [.2,.5,.3],[.1,.8,.1],[.4,.35,.25],[.3,.45,.25]], labels=range(3)))"   →  1.1431608524687842 (scikit-learn 1.2.1)
  test('six examples by hand', () => {
    const p = [0.7, 0.3, 0.5, 0.1, 0.4, 0.25];
    assertClose(negativeLogLikelihood({ trueClassProbability: p }), 1.1431608524687842, 1e-14, 'NLL vs sklearn');
  });

  test.each(referenceCases)('$name: $commands.negativeLogLikelihood', ({ outcomes, expected }) => {
    assertClose(negativeLogLikelihood(outcomes), expected.negativeLogLikelihood, 1e-12, 'NLL vs sklearn log_loss');
  });

  test('a probability of 0 counts as the floor: finite, -ln(floor) per example', () => {
    expect(negativeLogLikelihood({ trueClassProbability: [0, 1] })).toBeCloseTo(-Math.log(1e-12) / 2, 12);
    expect(negativeLogLikelihood({ trueClassProbability: [0] }, { floor: 1e-6 })).toBeCloseTo(-Math.log(1e-6), 12);
    expect(negativeLogLikelihood({ trueClassProbability: [1, 1] })).toBe(0);
  });

  test('rejects bad inputs', () => {
    expect(() => negativeLogLikelihood({ trueClassProbability: [] })).toThrow(/no examples/);
    expect(() => negativeLogLikelihood({ trueClassProbability: [Number.NaN] })).toThrow(/outside \[0, 1\]/);
    expect(() => negativeLogLikelihood({ trueClassProbability: [0.5] }, { floor: 0 })).toThrow(/floor/);
  });
});
