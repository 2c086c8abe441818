import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { deriveSeed } from '../random.ts';
import type { Classifier, Parameter } from './classifier.ts';
import { uniform, variableFrom } from './initialisers.ts';

/** Hidden-layer nonlinearity of an {@link Mlp}. */
export type MlpActivation = 'relu' | 'gelu';

/** Everything that defines an {@link Mlp}; with the same args the initial weights are bit-identical. */
export interface MlpArgs {
  /** Features per example (784 for 28x28 images, flattened). Positive integer. */
  readonly inputSize: number;
  /** Units in every hidden layer. Positive integer. */
  readonly width: number;
  /** Number of hidden layers (0 gives multinomial logistic regression). Non-negative integer. */
  readonly depth: number;
  /** Output classes (logits per example). Integer of at least 2. */
  readonly numClasses: number;
  /**
   * Hidden-layer nonlinearity: `relu`, or `gelu` in its exact form `0.5 x (1 + erf(x / sqrt 2))`
   * (PyTorch's `nn.GELU()` default, not the tanh approximation). tfjs-core's `erf` uses the
   * Abramowitz-Stegun 7.1.26 polynomial (absolute error below 1.5e-7; the fast-cpu backend evaluates it in
   * float32, within 6e-7 of the exact erf), so GELU matches the exact form to about 3e-7 x |x|.
   */
  readonly activation: MlpActivation;
  /** Run seed; layer `i` draws its weights from `deriveSeed(seed, 'mlp/layer-i/weight')` (and `/bias`). */
  readonly seed: number;
}

/** A multilayer perceptron `inputSize → width × depth → numClasses`, as returned by {@link createMlp}. */
export interface Mlp extends Classifier {
  readonly args: MlpArgs;
}

/**
 * Exact GELU, `0.5 x (1 + erf(x / sqrt 2))` (Hendrycks and Gimpel 2016; PyTorch `nn.GELU()`).
 * @example gelu(tf.scalar(1)).dataSync()[0] // ≈ 0.8413447
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T);
}

/**
 * Builds an MLP whose weights are drawn from the seed exactly as PyTorch's `nn.Linear` default
 * initialises them: weight and bias both uniform on `[-1/sqrt(fan_in), 1/sqrt(fan_in))` (that is
 * `kaiming_uniform_(a=sqrt(5))` for the weight), so comparisons with PyTorch anchors are like for like.
 * Random numbers come from seedrandom on the JavaScript side, so the initial weights do not depend on
 * the backend. Weights are `[fan_in, fan_out]` (PyTorch stores the transpose).
 *
 * @throws {ModelError} when a size is not a positive integer (depth: non-negative), `numClasses < 2`, or
 *   the activation is unknown.
 * @example
 * const mlp = createMlp({ inputSize: 784, width: 256, depth: 2, numClasses: 10, activation: 'relu', seed: 1 });
 * const logits = mlp.logits(x); // [batch, 10]
 */
export function createMlp(args: MlpArgs): Mlp {
  validate(args);
  const { inputSize, width, depth, numClasses, activation, seed } = args;
  const sizes = [inputSize, ...Array.from({ length: depth }, () => width), numClasses];
  const parameters: Parameter[] = [];
  const layers: { weight: tf.Variable; bias: tf.Variable }[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i];
    const fanOut = sizes[i + 1];
    const bound = 1 / Math.sqrt(fanIn);
    const weight = variableFrom(uniform(fanIn * fanOut, bound, deriveSeed(seed, `mlp/layer-${i}/weight`)), [fanIn, fanOut]);
    const bias = variableFrom(uniform(fanOut, bound, deriveSeed(seed, `mlp/layer-${i}/bias`)), [fanOut]);
    layers.push({ weight, bias });
    parameters.push({ name: `layer-${i}/weight`, variable: weight, role: 'weight' }, { name: `layer-${i}/bias`, variable: bias, role: 'bias' });
  }
  return {
    args: { ...args },
    inputSize,
    numClasses,
    parameters,
    logits(features: tf.Tensor2D): tf.Tensor2D {
      return tf.tidy(() => {
        let h: tf.Tensor2D = features;
        layers.forEach(({ weight, bias }, i) => {
          const hidden = i < layers.length - 1;
          // The fused product runs the bias (and ReLU) inside the XNNPACK kernel on wasm.
          h = tf.fused.matMul({ a: h, b: weight, bias, activation: hidden && activation === 'relu' ? 'relu' : 'linear' }) as tf.Tensor2D;
          if (hidden && activation === 'gelu') h = gelu(h);
        });
        return h;
      });
    },
    dispose() {
      for (const p of parameters) p.variable.dispose();
    },
  };
}

function validate(args: MlpArgs): void {
  const positive = (name: keyof MlpArgs, minimum: number) => {
    const value = args[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      throw new ModelError(`createMlp: ${name} must be an integer of at least ${minimum}, got ${String(value)}. Fix the model arguments.`);
    }
  };
  positive('inputSize', 1);
  positive('width', 1);
  positive('depth', 0);
  positive('numClasses', 2);
  if (!Number.isFinite(args.seed)) throw new ModelError(`createMlp: seed must be a finite number, got ${String(args.seed)}.`);
  if (args.activation !== 'relu' && args.activation !== 'gelu') {
    throw new ModelError(`createMlp: activation must be 'relu' or 'gelu', got '${String(args.activation)}'.`);
  }
}
