import { InvalidInputError } from '../errors.ts';
import { requireProbabilities, type ClassificationOutcomes } from './classificationOutcomes.ts';

/** Options of {@link negativeLogLikelihood}. */
export interface NegativeLogLikelihoodOptions {
  /**
   * Probabilities below this count as this value, so that one confident mistake (a true-class probability of
   * exactly 0 in float32) gives a large finite loss instead of Infinity. Default 1e-12 (the harness's
   * convention; scikit-learn clips at its machine epsilon).
   */
  readonly floor?: number;
}

/**
 * Mean negative log-likelihood (cross-entropy, "log loss") of the true classes, in nats per example:
 * -(1/n) sum_i ln max(p_i, floor), p_i the probability the model gave to example i's true class.
 *
 * Reference: scikit-learn 1.2 `log_loss(y, probabilities, labels=range(numClasses))`
 * (fixtures/stats/classification_metrics.py), equal for probabilities that sum to 1 and exceed its clipping.
 *
 * @throws {InvalidInputError} when there are no examples, a probability is outside [0, 1] or NaN, or the floor
 *   is not in (0, 1).
 * @example
 * negativeLogLikelihood({ trueClassProbability: [0.5, 0.25] }) // 1.0397... = (ln 2 + ln 4) / 2
 */
export function negativeLogLikelihood(outcomes: Pick<ClassificationOutcomes, 'trueClassProbability'>, options: NegativeLogLikelihoodOptions = {}): number {
  const api = 'negativeLogLikelihood';
  const floor = options.floor ?? 1e-12;
  if (!(floor > 0 && floor < 1)) throw new InvalidInputError(`${api}: floor must be in (0, 1), got ${String(floor)}.`);
  const p = outcomes?.trueClassProbability;
  const n = p?.length ?? 0;
  if (n === 0) throw new InvalidInputError(`${api}: there are no examples; pass trueClassProbability with at least one value.`);
  requireProbabilities(api, 'trueClassProbability', p, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum -= Math.log(Math.max(p[i], floor));
  return sum / n;
}
