import { InvalidInputError, PredictionOutputError } from './errors.ts';
import type { MetricName } from './study.ts';

/** Metric values on one split. Accuracy in percent, nll in nats per example. */
export type MetricValues = Record<MetricName, number>;

/**
 * Per-example outcome on a split: predicted class and probability given to the true class; since issue 13 also
 * the largest probability and the sum of squared probabilities, so that calibration error and the Brier score
 * (harness/stats `expectedCalibrationError`, `brierScore`) can be computed from a record without a rerun.
 * The last two are absent in records written before.
 */
export interface ExamplePredictions {
  predictedClass: Uint8Array;
  trueClassProbability: Float32Array;
  /** The largest probability of each example (the confidence of its prediction). */
  topClassProbability?: Float32Array;
  /** The sum over classes of the squared probabilities. */
  sumOfSquaredProbabilities?: Float32Array;
}

const FLOOR = 1e-12;

/**
 * How far a row of predicted probabilities may sum from 1. A float32 softmax over K classes sums to 1 within about
 * K·6e-8 (10 classes: under 1e-6); 1e-3 also passes half-precision outputs and still refuses logits, scores and
 * unnormalised rows, whose sums are off by far more.
 */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

/**
 * Checks that predictions are class probabilities: `count × numClasses` values, each finite and within [0, 1], every
 * row summing to 1 within {@link PROBABILITY_SUM_TOLERANCE}. Called by {@link evaluatePredictions} on every split, so a
 * model that returns logits fails on the validation split, which the harness evaluates before it opens any sealed
 * split, so before anything is stored or audited.
 *
 * @throws {PredictionOutputError} naming the first offending row and its values, and saying to apply softmax.
 * @example
 * checkProbabilities(new Float32Array([2.5, -1, 0.3]), 1, 3) // throws: ... row 0 is [2.5, -1, 0.3] ... apply softmax
 */
export function checkProbabilities(probabilities: Float32Array, count: number, numClasses: number, api = 'evaluatePredictions'): void {
  const fix = 'Fix: predict() must return class probabilities, row-major (count × numClasses, each row summing to 1): apply softmax to logits before returning them.';
  if (!(probabilities instanceof Float32Array) || probabilities.length !== count * numClasses) {
    throw new PredictionOutputError(`${api}: got ${probabilities?.length ?? typeof probabilities} values for ${count} examples x ${numClasses} classes. ${fix}`);
  }
  for (let i = 0; i < count; i++) {
    const row = probabilities.subarray(i * numClasses, (i + 1) * numClasses);
    let sum = 0;
    let problem: string | null = null;
    for (let k = 0; k < numClasses && problem === null; k++) {
      const p = row[k];
      if (!Number.isFinite(p)) problem = `has a non-finite value (${p})`;
      else if (p < 0 || p > 1) problem = `has a value outside [0, 1] (${p})`;
      sum += p;
    }
    if (problem === null && !(Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE)) problem = `sums to ${sum}, not 1 (tolerance ${PROBABILITY_SUM_TOLERANCE})`;
    if (problem !== null) {
      const shown = [...row.subarray(0, 6)].map((v) => Number(v.toPrecision(4))).join(', ') + (numClasses > 6 ? ', …' : '');
      throw new PredictionOutputError(`${api}: these are not probabilities: row ${i} is [${shown}] and ${problem}. ${fix}`);
    }
  }
}

/**
 * Accuracy (percent) and mean negative log-likelihood from class probabilities
 * (`count * numClasses`, row-major) and labels, checked first by {@link checkProbabilities}.
 * A zero probability for the true class costs -ln(1e-12).
 *
 * @throws {PredictionOutputError} when the values are not probabilities (logits, NaN, rows not summing to 1, wrong length).
 * @throws {InvalidInputError} for an empty split or a label not below numClasses.
 * @example
 * evaluatePredictions(new Float32Array([0.9, 0.1]), new Uint8Array([0]), 2) // accuracy 100
 */
export function evaluatePredictions(probabilities: Float32Array, labels: Uint8Array, numClasses: number): { metrics: MetricValues; examples: ExamplePredictions } {
  const count = labels.length;
  if (count === 0) throw new InvalidInputError('evaluatePredictions: the split is empty. Fix: evaluate on a split with at least one example.');
  checkProbabilities(probabilities, count, numClasses);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= numClasses) throw new InvalidInputError(`evaluatePredictions: label ${labels[i]} of example ${i} is not below numClasses ${numClasses}. Fix: check the dataset's labels and numClasses.`);
  }
  const predictedClass = new Uint8Array(count);
  const trueClassProbability = new Float32Array(count);
  const topClassProbability = new Float32Array(count);
  const sumOfSquaredProbabilities = new Float32Array(count);
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < count; i++) {
    let best = -1;
    let bestValue = -Infinity;
    let squares = 0;
    for (let k = 0; k < numClasses; k++) {
      const p = probabilities[i * numClasses + k];
      if (p > bestValue) { bestValue = p; best = k; }
      squares += p * p;
    }
    topClassProbability[i] = bestValue;
    sumOfSquaredProbabilities[i] = squares;
    const label = labels[i];
    const pTrue = probabilities[i * numClasses + label];
    predictedClass[i] = best;
    trueClassProbability[i] = pTrue;
    if (best === label) correct++;
    nll -= Math.log(Math.max(pTrue, FLOOR));
  }
  return {
    metrics: { accuracy: (100 * correct) / count, nll: nll / count },
    examples: { predictedClass, trueClassProbability, topClassProbability, sumOfSquaredProbabilities },
  };
}

/** Chance-level metrics for K classes (used by the `substitute-chance` diverged rule). */
export function chanceMetrics(numClasses: number): MetricValues {
  return { accuracy: 100 / numClasses, nll: Math.log(numClasses) };
}

/** Compact, JSON-safe encoding of per-example predictions (base64 of the typed arrays). */
export interface EncodedPredictions {
  count: number;
  predictedClass: string;
  trueClassProbability: string;
  /** Labels are not stored: they are the sealed split's and are recovered by loading it. Correctness is. */
  correct: string;
  /** float32, base64; absent in records written before issue 13. */
  topClassProbability?: string;
  /** float32, base64; absent in records written before issue 13. */
  sumOfSquaredProbabilities?: string;
}

export function encodePredictions(examples: ExamplePredictions, labels: Uint8Array): EncodedPredictions {
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) correct[i] = examples.predictedClass[i] === labels[i] ? 1 : 0;
  const base64 = (a: Uint8Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    count: labels.length,
    predictedClass: base64(examples.predictedClass),
    trueClassProbability: base64(examples.trueClassProbability),
    correct: Buffer.from(correct).toString('base64'),
    ...(examples.topClassProbability ? { topClassProbability: base64(examples.topClassProbability) } : {}),
    ...(examples.sumOfSquaredProbabilities ? { sumOfSquaredProbabilities: base64(examples.sumOfSquaredProbabilities) } : {}),
  };
}

export function decodePredictions(encoded: EncodedPredictions): ExamplePredictions & { correct: Uint8Array } {
  const predicted = Buffer.from(encoded.predictedClass, 'base64');
  const probability = Buffer.from(encoded.trueClassProbability, 'base64');
  const correct = Buffer.from(encoded.correct, 'base64');
  const probabilities = new Float32Array(encoded.count);
  new Uint8Array(probabilities.buffer).set(probability);
  const floats = (text: string | undefined): Float32Array | undefined => {
    if (text === undefined) return undefined;
    const out = new Float32Array(encoded.count);
    new Uint8Array(out.buffer).set(Buffer.from(text, 'base64'));
    return out;
  };
  const topClassProbability = floats(encoded.topClassProbability);
  const sumOfSquaredProbabilities = floats(encoded.sumOfSquaredProbabilities);
  return {
    predictedClass: new Uint8Array(predicted),
    trueClassProbability: probabilities,
    correct: new Uint8Array(correct),
    ...(topClassProbability ? { topClassProbability } : {}),
    ...(sumOfSquaredProbabilities ? { sumOfSquaredProbabilities } : {}),
  };
}
