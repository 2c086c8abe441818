import { InvalidInputError } from '../errors.ts';
import { reliabilityBins } from './reliabilityBins.ts';
import { requireLabels, requireProbabilities, type ClassificationOutcomes } from './classificationOutcomes.ts';

/** Options of {@link expectedCalibrationError}; the bin count is a registered choice, with no default. */
export interface ExpectedCalibrationErrorOptions {
  /** Number of equal-width confidence bins over [0, 1] (Guo et al. use 15). */
  readonly bins: number;
}

/**
 * Top-label expected calibration error: the examples are put into `bins` equal-width bins by their confidence
 * (the largest probability): bin b holds confidences in (b/B, (b+1)/B], the first also 0. Then
 * ECE = sum_b (n_b / n) |accuracy_b - mean confidence_b|, accuracy_b the fraction of bin b whose predicted class
 * is the true class. A fraction in [0, 1]; multiply by 100 for percentage points. Empty bins contribute 0.
 *
 * Reference: Guo, Pleiss, Sun & Weinberger (2017), "On Calibration of Modern Neural Networks", ICML, eq. 3;
 * Naeini, Cooper & Hauskrecht (2015). Checked against a NumPy implementation of that definition
 * (fixtures/stats/classification_metrics.py; scikit-learn 1.2 has none).
 *
 * @throws {InvalidInputError} when `bins` is not a positive integer, there are no examples, the arrays differ
 *   in length, a confidence is outside [0, 1] or NaN, or a label or prediction is not a non-negative integer.
 * @example
 * expectedCalibrationError({ topClassProbability: [0.9, 0.9, 0.6, 0.6], predictedClass: [0, 1, 0, 0], label: [0, 0, 0, 1] }, { bins: 10 })
 * // 0.25: bin (0.8, 0.9] has accuracy 0.5 at confidence 0.9, bin (0.5, 0.6] accuracy 0.5 at 0.6
 */
export function expectedCalibrationError(
  outcomes: Pick<ClassificationOutcomes, 'topClassProbability' | 'predictedClass' | 'label'>,
  options: ExpectedCalibrationErrorOptions,
): number {
  const api = 'expectedCalibrationError';
  const bins = options?.bins;
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidInputError(`${api}: bins must be a positive integer (the registered bin count, e.g. 15), got ${String(bins)}.`);
  const n = requireLabels(api, outcomes?.label, Number.MAX_SAFE_INTEGER);
  requireProbabilities(api, 'topClassProbability', outcomes.topClassProbability, n);
  if (outcomes.predictedClass?.length !== n) throw new InvalidInputError(`${api}: predictedClass has ${outcomes.predictedClass?.length} values for ${n} labels; pass one per example.`);
  requireLabels(api, outcomes.predictedClass, Number.MAX_SAFE_INTEGER, 'predictedClass');
  const correct = Array.from({ length: n }, (_, i) => (outcomes.predictedClass[i] === outcomes.label[i] ? 1 : 0));
  const confidence = Array.from({ length: n }, (_, i) => Math.min(outcomes.topClassProbability[i], 1));
  let sum = 0;
  // (n_b / n) |correct_b / n_b - confidence_b / n_b| = |correct_b - confidence_b| / n; empty bins add 0.
  for (const bin of reliabilityBins(confidence, correct, { bins })) sum += Math.abs(bin.correct - bin.confidenceSum);
  return sum / n;
}
