import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { createRandom, deriveSeed } from '../random.ts';
import type { Divergence, EpochLog, ExperimentData, FrozenModel, Split } from '../types.ts';
import { sha256 } from '../util.ts';
import { createAdamW } from './adamw.ts';
import { FAST_CPU_BACKEND } from './fastCpu/constants.ts';
import { fusedMeanCrossEntropy } from './fastCpu/crossEntropy.ts';
import { ensureGradients } from './gradients.ts';
import type { Classifier, Parameter } from './classifier.ts';

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
  /** Passes over the training split. Non-negative integer. */
  readonly epochs: number;
  /** Examples per step; the last step of an epoch takes the remainder (PyTorch's `drop_last=False`). */
  readonly batchSize: number;
  /** AdamW learning rate. */
  readonly learningRate: number;
  /**
   * Run seed. The data order is drawn from `deriveSeed(seed, 'data-order')` only, so the same seed gives the
   * same sequence of minibatches in every cell of a study (a block in the analysis).
   */
  readonly seed: number;
  /** Decoupled (AdamW) weight decay in PyTorch's convention, `w ← w − lr·λ·w`. Default 0. See {@link AdamWOptions}. */
  readonly weightDecay?: number;
  /** Whether biases are decayed (by `weightDecay` and `l2`). Default false; PyTorch decays every parameter. */
  readonly decayBiases?: boolean;
  /**
   * Coupled L2 penalty (Keras convention): adds `l2 · Σ w²` over the decayed parameters (weights, and biases
   * with `decayBiases`) to the loss, so the gradient gains `2 · l2 · w`. Default 0. The reported `trainLoss`
   * includes the penalty.
   */
  readonly l2?: number;
  /** AdamW betas. Default `[0.9, 0.999]`. */
  readonly betas?: readonly [number, number];
  /** AdamW epsilon. Default `1e-8`. */
  readonly epsilon?: number;
  /** Called after every epoch with the mean training loss, validation accuracy (a fraction) and loss, and seconds. */
  readonly onEpoch?: (log: EpochLog) => void;
  /** Batch size for validation passes and predictions. Default 1024. */
  readonly evaluationBatchSize?: number;
  /** Besides once per epoch, yield to the event loop every this many steps. Default 50. */
  readonly yieldEverySteps?: number;
}

/** Speed and learning curve of one training run. */
export interface TrainStats {
  /** Training examples processed per second of training steps (forward, backward, update; no validation). */
  readonly examplesPerSecond: number;
  /** Seconds spent in training steps. */
  readonly trainSeconds: number;
  /** Seconds in total, validation passes included. */
  readonly totalSeconds: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** One entry per completed epoch, as passed to `onEpoch`. */
  readonly history: readonly EpochLog[];
}

/** A {@link TrainOutcome} (assignable to it) with a {@link FrozenClassifier} and the run's {@link TrainStats}. */
export type TrainResult =
  | { readonly status: 'ok'; readonly model: FrozenClassifier; readonly stats: TrainStats }
  | { readonly status: 'diverged'; readonly divergence: Divergence; readonly stats: TrainStats };

/** A frozen model whose fingerprint is always available. */
export interface FrozenClassifier extends FrozenModel {
  predict(features: Float32Array, count: number): Float32Array;
  fingerprint(): string;
  dispose(): void;
}

/**
 * Trains a classifier with softmax cross-entropy and a hand-written AdamW ({@link createAdamW}), in shuffled
 * minibatches whose order comes from the seed. Every step runs inside `tf.tidy`; the optimiser's state is
 * freed before returning. Validation accuracy and loss are measured after every epoch.
 *
 * A NaN or infinite training loss (checked every step, before the update) or validation loss ends the run as
 * diverged: it returns `{ status: 'diverged', divergence }` and never throws for it. The model then still
 * belongs to the caller (dispose it). On success the model is returned frozen: `predict` gives softmax
 * probabilities, `fingerprint` the sha256 of the weights, `dispose` frees the variables.
 *
 * @throws {ModelError} for invalid options or data that does not fit the model (feature size, classes, labels).
 * @example
 * const mlp = createMlp({ inputSize: 784, width: 256, depth: 2, numClasses: 10, activation: 'relu', seed: 1 });
 * const result = await trainClassifier(mlp, data, { epochs: 10, batchSize: 128, learningRate: 1e-3, seed: 1 });
 * if (result.status === 'ok') probabilities = result.model.predict(features, count);
 */
export async function trainClassifier(model: Classifier, data: ExperimentData, options: TrainOptions): Promise<TrainResult> {
  validateOptions(options);
  await ensureGradients();
  checkSplit(model, data.train, 'train');
  checkSplit(model, data.validation, 'validation');
  const { epochs, batchSize, seed } = options;
  const l2 = options.l2 ?? 0;
  const decayBiases = options.decayBiases ?? false;
  const evaluationBatchSize = options.evaluationBatchSize ?? 1024;
  const yieldEverySteps = options.yieldEverySteps ?? 50;
  const train = data.train;
  const { inputSize, numClasses } = model;
  const variables = model.parameters.map((p) => p.variable);
  const penalised: Parameter[] = l2 > 0 ? model.parameters.filter((p) => p.role === 'weight' || decayBiases) : [];

  const optimizer = createAdamW(model.parameters, {
    learningRate: options.learningRate,
    betas: options.betas,
    epsilon: options.epsilon,
    weightDecay: options.weightDecay ?? 0,
    decayBiases,
  });
  const random = createRandom(deriveSeed(seed, 'data-order'));
  const order = new Uint32Array(train.count);
  const batchFeatures = new Float32Array(batchSize * inputSize);
  const batchTargets = new Float32Array(batchSize * numClasses);
  const history: EpochLog[] = [];
  const startedAt = performance.now();
  let trainMilliseconds = 0;
  let steps = 0;
  let examples = 0;

  const stats = (): TrainStats => ({
    examplesPerSecond: trainMilliseconds > 0 ? (examples * 1000) / trainMilliseconds : 0,
    trainSeconds: trainMilliseconds / 1000,
    totalSeconds: (performance.now() - startedAt) / 1000,
    steps,
    history,
  });
  const diverged = (epoch: number, loss: number, reason: string, step?: number): TrainResult => ({
    status: 'diverged',
    divergence: { epoch, ...(step === undefined ? {} : { step }), loss: Number.isNaN(loss) ? 'NaN' : String(loss), reason },
    stats: stats(),
  });

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStartedAt = performance.now();
      shuffledOrder(order, random);
      let lossSum = 0;
      for (let start = 0; start < train.count; start += batchSize) {
        const size = Math.min(batchSize, train.count - start);
        fillBatch(train, order, start, size, inputSize, numClasses, batchFeatures, batchTargets);
        const stepStartedAt = performance.now();
        const { value, grads } = tf.tidy(() => {
          const x = tf.tensor2d(batchFeatures.subarray(0, size * inputSize), [size, inputSize]);
          const y = tf.tensor2d(batchTargets.subarray(0, size * numClasses), [size, numClasses]);
          return tf.variableGrads(() => {
            const loss = meanCrossEntropy(model.logits(x), y);
            return penalised.length === 0 ? loss : tf.add(loss, tf.mul(l2, tf.addN(penalised.map((p) => tf.sum(tf.square(p.variable))))));
          }, variables);
        });
        const loss = value.dataSync()[0];
        value.dispose();
        steps += 1;
        if (!Number.isFinite(loss)) {
          tf.dispose(grads);
          trainMilliseconds += performance.now() - stepStartedAt;
          return diverged(epoch, loss, `training loss is ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at step ${steps}`, steps);
        }
        optimizer.step(grads);
        tf.dispose(grads);
        trainMilliseconds += performance.now() - stepStartedAt;
        examples += size;
        lossSum += loss * size;
        if (steps % yieldEverySteps === 0) await yieldToEventLoop();
      }
      const log: EpochLog = { epoch, trainLoss: train.count > 0 ? lossSum / train.count : NaN };
      if (data.validation.count > 0) {
        const validation = evaluateClassifier(model, data.validation, { batchSize: evaluationBatchSize });
        if (!Number.isFinite(validation.loss)) {
          return diverged(epoch, validation.loss, `validation loss is ${Number.isNaN(validation.loss) ? 'NaN' : 'infinite'} after epoch ${epoch}`);
        }
        log.validationAccuracy = validation.accuracy;
        log.validationLoss = validation.loss;
      }
      log.seconds = (performance.now() - epochStartedAt) / 1000;
      history.push(log);
      options.onEpoch?.({ ...log });
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
  }
  return { status: 'ok', model: freezeClassifier(model, { batchSize: evaluationBatchSize }), stats: stats() };
}

/**
 * Mean softmax cross-entropy of logits `[batch, classes]` against one-hot (or soft) targets, computed through
 * `logSoftmax` so that large logits do not overflow. Inside `tf.tidy`. On the fast-cpu backend it is one fused
 * kernel (and one for its gradient) computing the same formula in double precision.
 * @example meanCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]])) // ln 2
 */
export function meanCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (tf.getBackend() === FAST_CPU_BACKEND && logits.dtype === 'float32' && targets.dtype === 'float32' && tf.util.arraysEqual(logits.shape, targets.shape)) {
    return fusedMeanCrossEntropy(logits, targets);
  }
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/**
 * Accuracy (a fraction) and mean cross-entropy of a classifier on a split, in batches inside `tf.tidy`.
 * @throws {ModelError} when the split does not fit the model.
 * @example evaluateClassifier(mlp, data.validation) // { accuracy: 0.87, loss: 0.36 }
 */
export function evaluateClassifier(model: Classifier, split: Split, options: { batchSize?: number } = {}): { accuracy: number; loss: number } {
  checkSplit(model, split, split.name);
  const batchSize = options.batchSize ?? 1024;
  const { inputSize } = model;
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const [hits, losses] = tf.tidy(() => {
      const x = tf.tensor2d(split.features.subarray(start * inputSize, (start + size) * inputSize), [size, inputSize]);
      const labels = tf.tensor1d(Int32Array.from(split.labels.subarray(start, start + size)), 'int32');
      const logProbabilities = tf.logSoftmax(model.logits(x));
      const hit = tf.sum(tf.cast(tf.equal(tf.argMax(logProbabilities, 1), labels), 'float32'));
      const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, model.numClasses), logProbabilities)));
      return [hit, nll];
    });
    correct += hits.dataSync()[0];
    lossSum += losses.dataSync()[0];
    tf.dispose([hits, losses]);
  }
  return { accuracy: split.count > 0 ? correct / split.count : NaN, loss: split.count > 0 ? lossSum / split.count : NaN };
}

/**
 * Wraps a trained classifier as the harness's {@link FrozenModel}: `predict(features, count)` returns softmax
 * probabilities (`count * numClasses`, row-major) computed in batches inside `tf.tidy`; `fingerprint()` is the
 * sha256 of all weights' float32 bytes in parameter order; `dispose()` frees the variables.
 * @example const frozen = freezeClassifier(mlp); frozen.predict(features, 10);
 */
export function freezeClassifier(model: Classifier, options: { batchSize?: number } = {}): FrozenClassifier {
  const batchSize = options.batchSize ?? 1024;
  const { inputSize, numClasses } = model;
  return {
    predict(features: Float32Array, count: number): Float32Array {
      if (!Number.isInteger(count) || count < 0 || features.length !== count * inputSize) {
        throw new ModelError(`predict: got ${features.length} feature values for ${count} examples of ${inputSize} features. Pass count * ${inputSize} values, row-major.`);
      }
      const out = new Float32Array(count * numClasses);
      for (let start = 0; start < count; start += batchSize) {
        const size = Math.min(batchSize, count - start);
        const probabilities = tf.tidy(() => tf.softmax(model.logits(tf.tensor2d(features.subarray(start * inputSize, (start + size) * inputSize), [size, inputSize]))));
        out.set(probabilities.dataSync(), start * numClasses);
        probabilities.dispose();
      }
      return out;
    },
    fingerprint(): string {
      return weightsFingerprint(model);
    },
    dispose(): void {
      model.dispose();
    },
  };
}

/**
 * sha256 (hex) of all parameters' float32 bytes, concatenated in parameter order.
 * @example weightsFingerprint(mlp) // '3f2a…'
 */
export function weightsFingerprint(model: Classifier): string {
  const arrays = model.parameters.map((p) => p.variable.dataSync() as Float32Array);
  const bytes = new Uint8Array(arrays.reduce((total, a) => total + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return sha256(bytes);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Fisher-Yates shuffle of 0..n-1 into `order` (a fresh permutation each call, continuing the stream). */
function shuffledOrder(order: Uint32Array, random: () => number): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
}

function fillBatch(
  split: Split,
  order: Uint32Array,
  start: number,
  size: number,
  inputSize: number,
  numClasses: number,
  features: Float32Array,
  targets: Float32Array,
): void {
  targets.fill(0, 0, size * numClasses);
  for (let row = 0; row < size; row++) {
    const example = order[start + row];
    features.set(split.features.subarray(example * inputSize, (example + 1) * inputSize), row * inputSize);
    targets[row * numClasses + split.labels[example]] = 1;
  }
}

function checkSplit(model: Classifier, split: Split, name: string): void {
  const featureSize = split.featureShape.reduce((a, b) => a * b, 1);
  if (featureSize !== model.inputSize || split.features.length !== split.count * featureSize) {
    throw new ModelError(
      `trainClassifier: the ${name} split has ${split.features.length} values for ${split.count} examples of shape [${split.featureShape.join(', ')}], ` +
        `but the model takes ${model.inputSize} features. Build the model with inputSize = the product of featureShape.`,
    );
  }
  if (split.numClasses !== model.numClasses) {
    throw new ModelError(`trainClassifier: the ${name} split has ${split.numClasses} classes but the model outputs ${model.numClasses}. Build the model with numClasses = split.numClasses.`);
  }
  if (split.labels.length !== split.count) {
    throw new ModelError(`trainClassifier: the ${name} split has ${split.labels.length} labels for ${split.count} examples.`);
  }
  for (let i = 0; i < split.labels.length; i++) {
    if (split.labels[i] >= split.numClasses) {
      throw new ModelError(`trainClassifier: label ${split.labels[i]} of example ${i} in the ${name} split is not below numClasses ${split.numClasses}.`);
    }
  }
}

function validateOptions(options: TrainOptions): void {
  const integer = (name: 'epochs' | 'batchSize', minimum: number) => {
    const value = options[name];
    if (!Number.isInteger(value) || value < minimum) throw new ModelError(`trainClassifier: ${name} must be an integer of at least ${minimum}, got ${String(value)}.`);
  };
  integer('epochs', 0);
  integer('batchSize', 1);
  if (!Number.isFinite(options.seed)) throw new ModelError(`trainClassifier: seed must be a finite number, got ${String(options.seed)}.`);
  const l2 = options.l2 ?? 0;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new ModelError(`trainClassifier: l2 must be non-negative and finite, got ${l2}.`);
  if (options.yieldEverySteps !== undefined && !(Number.isInteger(options.yieldEverySteps) && options.yieldEverySteps > 0)) {
    throw new ModelError(`trainClassifier: yieldEverySteps must be a positive integer, got ${options.yieldEverySteps}.`);
  }
}
