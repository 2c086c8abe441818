import type * as tf from '@tensorflow/tfjs-core';

/**
 * One trainable tensor of a model. `role` decides whether weight decay and L2 apply by default:
 * `weight` (matrices) are decayed; `bias` (biases, and any other vector such as a norm's gain or
 * offset) are decayed only with `decayBiases: true`, following common practice (and unlike
 * PyTorch's AdamW default, which decays every parameter it is given).
 */
export interface Parameter {
  /** Stable name, e.g. `layer-0/weight`; fixes the order of fingerprints. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly role: 'weight' | 'bias';
}

/**
 * What {@link trainClassifier} needs from a model: its parameters and a forward pass to logits.
 * Implemented by {@link createMlp}; any tfjs-core model with this shape trains the same way.
 */
export interface Classifier {
  /** Number of input features per example (the product of the split's `featureShape`). */
  readonly inputSize: number;
  readonly numClasses: number;
  /** Every trainable tensor, in a fixed order. */
  readonly parameters: readonly Parameter[];
  /**
   * Logits `[batch, numClasses]` for features `[batch, inputSize]`. Runs inside `tf.tidy`; the caller owns
   * (and disposes) the result. Differentiable with respect to the parameters' variables.
   */
  logits(features: tf.Tensor2D): tf.Tensor2D;
  /** Frees every variable. The model is unusable afterwards. */
  dispose(): void;
}
