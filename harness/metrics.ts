import { InvalidInputError, PredictionOutputError } from './errors.ts';
import { brierScore, expectedCalibrationError, macroF1 } from './stats/index.ts';
import { DEFAULT_ECE_BINS } from './study.ts';

/**
 * Metric values on one split, in the units of {@link METRICS}: accuracy, macro-F1 and ECE in percent, nll in nats
 * per example, Brier in [0, 2]. Records written before issue 13 hold accuracy and nll only, so the other three are
 * optional here: read them through `runMetric` (harness/analysis), which recomputes a missing one from the stored
 * per-example predictions where it can.
 */
export interface MetricValues {
  accuracy: number;
  nll: number;
  macroF1?: number;
  ece?: number;
  brier?: number;
}

/** Options of {@link evaluatePredictions}. */
export interface EvaluationOptions {
  /** Equal-width confidence bins of the ECE: the study's registered `metrics.eceBins`. Default {@link DEFAULT_ECE_BINS}. */
  readonly eceBins?: number;
  /**
   * A group of each example (e.g. the corruption of a shift-split image, `Split.groups`), an index into `groupNames`.
   * When given, the result also has every metric per group (`byGroup`), and the examples keep their group.
   */
  readonly groups?: Uint8Array;
  readonly groupNames?: readonly string[];
}

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
  /** Each example's group (e.g. its corruption on the shift split), an index into the split's `groupNames`; absent without groups. */
  groups?: Uint8Array;
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
 * Every metric of {@link MetricValues} from class probabilities (`count * numClasses`, row-major) and labels, checked
 * first by {@link checkProbabilities}: accuracy and macro-F1 (harness/stats `macroF1`) in percent, mean negative
 * log-likelihood in nats (a zero probability for the true class costs -ln(1e-12)), top-label ECE
 * (`expectedCalibrationError`, `options.eceBins` bins) in percent, and the multi-class Brier score (`brierScore`).
 * With `options.groups`, also every metric per group (`byGroup`, keyed by group name; a group without examples is left out).
 *
 * @throws {PredictionOutputError} when the values are not probabilities (logits, NaN, rows not summing to 1, wrong length).
 * @throws {InvalidInputError} for an empty split, a label not below numClasses, or groups that do not match the examples.
 * @example
 * evaluatePredictions(new Float32Array([0.9, 0.1]), new Uint8Array([0]), 2).metrics // { accuracy: 100, macroF1: 50, nll: 0.105..., ece: 10, brier: 0.02 }
 */
export function evaluatePredictions(probabilities: Float32Array, labels: Uint8Array, numClasses: number, options: EvaluationOptions = {}): { metrics: MetricValues; examples: ExamplePredictions; byGroup?: Record<string, MetricValues> } {
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
    predictedClass[i] = best;
    trueClassProbability[i] = probabilities[i * numClasses + labels[i]];
  }
  const examples = { predictedClass, trueClassProbability, topClassProbability, sumOfSquaredProbabilities };
  const eceBins = options.eceBins ?? DEFAULT_ECE_BINS;
  const metrics = metricsOfExamples(examples, labels, numClasses, eceBins);
  if (!options.groups) return { metrics, examples };
  const { groups, groupNames = [] } = options;
  if (groups.length !== count) throw new InvalidInputError(`evaluatePredictions: ${groups.length} groups for ${count} examples. Fix: give one group index per example (Split.groups).`);
  const byGroup: Record<string, MetricValues> = {};
  for (let g = 0; g < groupNames.length; g++) {
    const members: number[] = [];
    for (let i = 0; i < count; i++) if (groups[i] === g) members.push(i);
    if (members.length === 0) continue;
    const pick = <T extends Uint8Array | Float32Array>(a: T): T => a.constructor === Uint8Array ? Uint8Array.from(members, (i) => a[i]) as T : Float32Array.from(members, (i) => a[i]) as T;
    byGroup[groupNames[g]] = metricsOfExamples(
      { predictedClass: pick(predictedClass), trueClassProbability: pick(trueClassProbability), topClassProbability: pick(topClassProbability), sumOfSquaredProbabilities: pick(sumOfSquaredProbabilities) },
      pick(labels), numClasses, eceBins,
    );
  }
  for (let i = 0; i < count; i++) {
    if (groups[i] >= groupNames.length) throw new InvalidInputError(`evaluatePredictions: example ${i} is in group ${groups[i]}, but only ${groupNames.length} group names are given. Fix: name every group (Split.groupNames).`);
  }
  return { metrics, examples: { ...examples, groups }, byGroup };
}

/** Every metric from the per-example outcomes and the labels: the one place that turns per-example data into {@link MetricValues}. */
function metricsOfExamples(examples: Required<Pick<ExamplePredictions, 'predictedClass' | 'trueClassProbability' | 'topClassProbability' | 'sumOfSquaredProbabilities'>>, labels: Uint8Array, numClasses: number, eceBins: number): MetricValues {
  const count = labels.length;
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < count; i++) {
    if (examples.predictedClass[i] === labels[i]) correct++;
    nll -= Math.log(Math.max(examples.trueClassProbability[i], FLOOR));
  }
  const outcomes = { label: labels, ...examples };
  return {
    accuracy: (100 * correct) / count,
    nll: nll / count,
    macroF1: 100 * macroF1(outcomes, { numClasses }),
    ece: 100 * expectedCalibrationError(outcomes, { bins: eceBins }),
    brier: brierScore(outcomes),
  };
}

/**
 * Chance-level metrics for K classes, used by the `substitute-chance` diverged rule: what a model that gives every
 * class probability 1/K scores on balanced classes. Accuracy 100/K %, macro-F1 100/K % (a uniform random guess
 * has precision and recall 1/K in every class), nll ln K nats, ECE 0 % (confidence 1/K equals the expected accuracy
 * 1/K: an uninformative model is perfectly calibrated, so substituting chance does not penalise a diverged run on
 * ECE; register `mark-inconclusive` for calibration claims), Brier 1 − 1/K.
 *
 * @example
 * chanceMetrics(10) // { accuracy: 10, macroF1: 10, nll: 2.302..., ece: 0, brier: 0.9 }
 */
export function chanceMetrics(numClasses: number): Required<MetricValues> {
  return { accuracy: 100 / numClasses, macroF1: 100 / numClasses, nll: Math.log(numClasses), ece: 0, brier: 1 - 1 / numClasses };
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
  /** uint8, base64: each example's group (its corruption on a shift split with registered corruptions), an index into `groupNames`. */
  groups?: string;
  /** The group names `groups` indexes, e.g. `['gaussian-blur-3', 'rotate-2']`. */
  groupNames?: string[];
}

/** Encodes per-example predictions for a run record; with `groupNames`, their groups too (`examples.groups`). */
export function encodePredictions(examples: ExamplePredictions, labels: Uint8Array, groupNames?: readonly string[]): EncodedPredictions {
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
    ...(examples.groups && groupNames ? { groups: base64(examples.groups), groupNames: [...groupNames] } : {}),
  };
}

/** Decodes {@link encodePredictions}' output; fields absent in older records stay absent. */
export function decodePredictions(encoded: EncodedPredictions): ExamplePredictions & { correct: Uint8Array; groupNames?: string[] } {
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
    ...(encoded.groups !== undefined ? { groups: new Uint8Array(Buffer.from(encoded.groups, 'base64')), groupNames: encoded.groupNames ?? [] } : {}),
  };
}
