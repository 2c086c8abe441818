import { InvalidInputError } from '../errors.ts';

/**
 * The per-example data contract of the classification metrics ({@link macroF1}, {@link negativeLogLikelihood},
 * {@link expectedCalibrationError}, {@link brierScore}): five arrays of one entry per example. Run records of
 * sealed splits keep exactly these (labels come from the split), so every metric can be recomputed from a
 * record without a rerun. Each metric reads only the fields it needs.
 */
export interface ClassificationOutcomes {
  /** The true class of each example, an integer in [0, numClasses). */
  readonly label: ArrayLike<number>;
  /** The predicted class: the class with the largest probability, the first one on ties. */
  readonly predictedClass: ArrayLike<number>;
  /** The probability given to the true class, in [0, 1]. */
  readonly trueClassProbability: ArrayLike<number>;
  /** The largest probability (the confidence of the predicted class), in [0, 1]. */
  readonly topClassProbability: ArrayLike<number>;
  /** The sum over classes of the squared probabilities, in [1/numClasses, 1]. */
  readonly sumOfSquaredProbabilities: ArrayLike<number>;
}

/** Probabilities may exceed 1 or miss their sum by this much (float32 softmax rounding). */
const PROBABILITY_SLACK = 1e-4;

/**
 * Reduces class probabilities (`count x numClasses`, row-major) and labels to {@link ClassificationOutcomes}.
 *
 * @throws {InvalidInputError} when the lengths disagree, there are no examples, a label is not a class index,
 *   or a row holds a value outside [0, 1] (NaN included) or does not sum to 1 within 1e-4.
 * @example
 * classificationOutcomes([0.7, 0.3, 0.2, 0.8], [0, 0], { numClasses: 2 })
 * // { label: [0, 0], predictedClass: [0, 1], trueClassProbability: [0.7, 0.2], topClassProbability: [0.7, 0.8],
 * //   sumOfSquaredProbabilities: [0.58, 0.68] }
 */
export function classificationOutcomes(probabilities: ArrayLike<number>, labels: ArrayLike<number>, options: { numClasses: number }): ClassificationOutcomes {
  const api = 'classificationOutcomes';
  const k = options?.numClasses;
  if (!Number.isInteger(k) || k < 2) throw new InvalidInputError(`${api}: numClasses must be an integer of at least 2, got ${String(k)}.`);
  const n = requireLabels(api, labels, k);
  if (probabilities?.length !== n * k) {
    throw new InvalidInputError(`${api}: got ${probabilities?.length} probabilities for ${n} labels x ${k} classes; pass one row of ${k} probabilities per example, row-major.`);
  }
  const predictedClass = new Uint8Array(n);
  const trueClassProbability = new Float64Array(n);
  const topClassProbability = new Float64Array(n);
  const sumOfSquaredProbabilities = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let sum = 0;
    let squares = 0;
    for (let c = 0; c < k; c++) {
      const p = probabilities[i * k + c];
      if (!(p >= 0 && p <= 1 + PROBABILITY_SLACK)) {
        throw new InvalidInputError(`${api}: probability [${i}][${c}] is ${String(p)}, outside [0, 1]; pass probabilities (after softmax), and handle diverged runs by the study's rule first.`);
      }
      if (p > probabilities[i * k + best]) best = c;
      sum += p;
      squares += p * p;
    }
    if (Math.abs(sum - 1) > PROBABILITY_SLACK) throw new InvalidInputError(`${api}: the probabilities of example ${i} sum to ${sum}, not 1; pass normalised class probabilities.`);
    predictedClass[i] = best;
    trueClassProbability[i] = probabilities[i * k + labels[i]];
    topClassProbability[i] = probabilities[i * k + best];
    sumOfSquaredProbabilities[i] = squares;
  }
  return { label: labels, predictedClass, trueClassProbability, topClassProbability, sumOfSquaredProbabilities };
}

/** Throws unless `labels` is a non-empty list of class indices below `numClasses`; returns its length. */
export function requireLabels(api: string, labels: ArrayLike<number> | undefined, numClasses: number, name = 'label'): number {
  if (labels === null || labels === undefined || typeof labels.length !== 'number') throw new InvalidInputError(`${api}: ${name} is missing; pass one class index per example.`);
  if (labels.length === 0) throw new InvalidInputError(`${api}: there are no examples; pass at least one.`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new InvalidInputError(`${api}: ${name}[${i}] is ${String(v)}, not a class index in 0..${numClasses - 1}.`);
    }
  }
  return labels.length;
}

/** Throws unless `values` holds `length` numbers in [0, 1] (with float32 slack above 1). */
export function requireProbabilities(api: string, name: string, values: ArrayLike<number> | undefined, length: number): void {
  if (values === null || values === undefined || typeof values.length !== 'number') throw new InvalidInputError(`${api}: ${name} is missing; pass one value per example.`);
  if (values.length !== length) throw new InvalidInputError(`${api}: ${name} has ${values.length} values for ${length} examples; pass one per example.`);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1 + PROBABILITY_SLACK)) {
      throw new InvalidInputError(`${api}: ${name}[${i}] is ${String(v)}, outside [0, 1]; pass probabilities, and handle diverged runs by the study's rule first.`);
    }
  }
}
