import { InvalidInputError } from './errors.ts';
import type { MetricName } from './study.ts';

/** Metric values on one split. Accuracy in percent, nll in nats per example. */
export type MetricValues = Record<MetricName, number>;

/** Per-example outcome on a split: predicted class and probability given to the true class. */
export interface ExamplePredictions {
  predictedClass: Uint8Array;
  trueClassProbability: Float32Array;
}

const FLOOR = 1e-12;

/**
 * Accuracy (percent) and mean negative log-likelihood from class probabilities
 * (`count * numClasses`, row-major) and labels. NaN probabilities count as wrong and as -ln(1e-12).
 *
 * @example
 * evaluatePredictions(new Float32Array([0.9, 0.1]), new Uint8Array([0]), 2) // accuracy 100
 */
export function evaluatePredictions(probabilities: Float32Array, labels: Uint8Array, numClasses: number): { metrics: MetricValues; examples: ExamplePredictions } {
  const count = labels.length;
  if (probabilities.length !== count * numClasses) {
    throw new InvalidInputError(`evaluatePredictions: got ${probabilities.length} probabilities for ${count} examples x ${numClasses} classes. Fix: a model's predict() must return count * numClasses values, row-major.`);
  }
  if (count === 0) throw new InvalidInputError('evaluatePredictions: the split is empty. Fix: evaluate on a split with at least one example.');
  for (let i = 0; i < count; i++) {
    if (labels[i] >= numClasses) throw new InvalidInputError(`evaluatePredictions: label ${labels[i]} of example ${i} is not below numClasses ${numClasses}. Fix: check the dataset's labels and numClasses.`);
  }
  const predictedClass = new Uint8Array(count);
  const trueClassProbability = new Float32Array(count);
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < count; i++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < numClasses; k++) {
      const p = probabilities[i * numClasses + k];
      if (p > bestValue) { bestValue = p; best = k; }
    }
    const label = labels[i];
    const pTrue = probabilities[i * numClasses + label];
    predictedClass[i] = best < 0 ? 255 : best;
    trueClassProbability[i] = Number.isFinite(pTrue) ? pTrue : 0;
    if (best === label) correct++;
    nll -= Math.log(Math.max(Number.isFinite(pTrue) ? pTrue : 0, FLOOR));
  }
  return { metrics: { accuracy: (100 * correct) / count, nll: nll / count }, examples: { predictedClass, trueClassProbability } };
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
}

export function encodePredictions(examples: ExamplePredictions, labels: Uint8Array): EncodedPredictions {
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) correct[i] = examples.predictedClass[i] === labels[i] ? 1 : 0;
  return {
    count: labels.length,
    predictedClass: Buffer.from(examples.predictedClass.buffer, examples.predictedClass.byteOffset, examples.predictedClass.byteLength).toString('base64'),
    trueClassProbability: Buffer.from(examples.trueClassProbability.buffer, examples.trueClassProbability.byteOffset, examples.trueClassProbability.byteLength).toString('base64'),
    correct: Buffer.from(correct).toString('base64'),
  };
}

export function decodePredictions(encoded: EncodedPredictions): ExamplePredictions & { correct: Uint8Array } {
  const predicted = Buffer.from(encoded.predictedClass, 'base64');
  const probability = Buffer.from(encoded.trueClassProbability, 'base64');
  const correct = Buffer.from(encoded.correct, 'base64');
  const probabilities = new Float32Array(encoded.count);
  new Uint8Array(probabilities.buffer).set(probability);
  return { predictedClass: new Uint8Array(predicted), trueClassProbability: probabilities, correct: new Uint8Array(correct) };
}
