import { InvalidInputError } from '../errors.ts';
import { requireProbabilities, type ClassificationOutcomes } from './classificationOutcomes.ts';

/**
 * Multi-class Brier score: the mean over examples of sum_k (p_k - [k = true class])^2, in [0, 2] (0 is perfect;
 * a uniform guess over K classes scores 1 - 1/K). Computed per example as
 * sumOfSquaredProbabilities - 2 trueClassProbability + 1, which is the same sum expanded, so a record that keeps
 * those two numbers per example needs no rerun.
 *
 * Reference: Brier (1950), "Verification of forecasts expressed in terms of probability", Monthly Weather
 * Review 78(1), eq. 1 (without the division by the number of classes). Checked against a NumPy implementation
 * of that definition (fixtures/stats/classification_metrics.py; scikit-learn 1.2's brier_score_loss is binary only).
 *
 * @throws {InvalidInputError} when there are no examples, the arrays differ in length, a true-class probability
 *   is outside [0, 1] or NaN, or a sum of squares is outside [0, 1] or smaller than the true class's square.
 * @example
 * brierScore({ trueClassProbability: [0.7], sumOfSquaredProbabilities: [0.54] }) // 0.14 = 0.3² + 0.2² + 0.1²
 */
export function brierScore(outcomes: Pick<ClassificationOutcomes, 'trueClassProbability' | 'sumOfSquaredProbabilities'>): number {
  const api = 'brierScore';
  const p = outcomes?.trueClassProbability;
  const squares = outcomes?.sumOfSquaredProbabilities;
  const n = p?.length ?? 0;
  if (n === 0) throw new InvalidInputError(`${api}: there are no examples; pass trueClassProbability with at least one value.`);
  requireProbabilities(api, 'trueClassProbability', p, n);
  requireProbabilities(api, 'sumOfSquaredProbabilities', squares, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // float32 rounding can put p² a hair above the sum of squares; anything more is inconsistent input.
    if (squares[i] < p[i] * p[i] - 1e-6) {
      throw new InvalidInputError(`${api}: example ${i} has a sum of squared probabilities ${squares[i]} below its true class's square ${p[i] * p[i]}; pass the sum over all classes.`);
    }
    sum += squares[i] - 2 * p[i] + 1;
  }
  return sum / n;
}
