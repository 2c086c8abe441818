import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import type { Parameter } from './classifier.ts';

/** Options of {@link createAdamW}; defaults are PyTorch's `torch.optim.AdamW` defaults except `weightDecay`. */
export interface AdamWOptions {
  /** Step size `lr`. Positive. */
  readonly learningRate: number;
  /** `(beta1, beta2)` for the first and second moment averages. Default `[0.9, 0.999]`. */
  readonly betas?: readonly [number, number];
  /** Added to the root of the second moment. Default `1e-8`. */
  readonly epsilon?: number;
  /**
   * Decoupled weight decay `λ` (Loshchilov and Hutter 2019) in PyTorch's convention: before each Adam step,
   * `w ← w − lr · λ · w`, i.e. the decay is multiplied by the learning rate (lr 1e-3 and λ 1e-3 shrink
   * weights by a factor 1 − 1e-6 per step). Default 0 (PyTorch's default is 0.01; hypotest makes it explicit).
   */
  readonly weightDecay?: number;
  /**
   * Whether parameters with role `bias` are decayed too. Default `false`. PyTorch's AdamW decays every
   * parameter it is given; set `true` to match a PyTorch script that passes `model.parameters()` unfiltered.
   */
  readonly decayBiases?: boolean;
}

/** A hand-written AdamW optimiser over a fixed list of parameters; see {@link createAdamW}. */
export interface AdamW {
  /** Applies one update from gradients keyed by `variable.name`. Inside `tf.tidy`; does not dispose `grads`. */
  step(grads: Readonly<Record<string, tf.Tensor>>): void;
  /** Number of updates applied so far (PyTorch's `state['step']`). */
  readonly steps: number;
  /** Frees the moment estimates. */
  dispose(): void;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (PyTorch 1.13, `foreach=False`, `amsgrad=False`) computes it:
 *
 * ```
 * t ← t + 1
 * w ← w · (1 − lr·λ)                       (decoupled decay; only decayed parameters)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * ```
 *
 * @throws {ModelError} for a non-positive learning rate, betas outside [0, 1), negative epsilon or decay.
 * @example
 * const optimizer = createAdamW(model.parameters, { learningRate: 1e-3, weightDecay: 1e-4 });
 * optimizer.step(grads);
 */
export function createAdamW(parameters: readonly Parameter[], options: AdamWOptions): AdamW {
  const { learningRate } = options;
  const [beta1, beta2] = options.betas ?? [0.9, 0.999];
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0;
  const decayBiases = options.decayBiases ?? false;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new ModelError(`createAdamW: learningRate must be positive and finite, got ${learningRate}.`);
  for (const [name, beta] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(beta >= 0 && beta < 1)) throw new ModelError(`createAdamW: ${name} must be in [0, 1), got ${beta}.`);
  }
  if (!(epsilon >= 0)) throw new ModelError(`createAdamW: epsilon must be non-negative, got ${epsilon}.`);
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new ModelError(`createAdamW: weightDecay must be non-negative and finite, got ${weightDecay}.`);

  const slots = parameters.map((parameter) => ({
    parameter,
    decay: weightDecay > 0 && (parameter.role === 'weight' || decayBiases),
    m: zerosVariable(parameter.variable),
    v: zerosVariable(parameter.variable),
  }));
  let steps = 0;
  let disposed = false;

  return {
    get steps() {
      return steps;
    },
    step(grads) {
      if (disposed) throw new ModelError('AdamW.step: the optimiser was disposed. Create a new one.');
      steps += 1;
      const biasCorrection1 = 1 - beta1 ** steps;
      const biasCorrection2Root = Math.sqrt(1 - beta2 ** steps);
      const stepSize = learningRate / biasCorrection1;
      tf.tidy(() => {
        for (const { parameter, decay, m, v } of slots) {
          const gradient = grads[parameter.variable.name];
          if (gradient === undefined) {
            throw new ModelError(`AdamW.step: no gradient for parameter '${parameter.name}'. Pass the gradients of every parameter (tf.variableGrads over all of them).`);
          }
          const weight: tf.Tensor = decay ? tf.mul(parameter.variable, 1 - learningRate * weightDecay) : parameter.variable;
          const mNext = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
          const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
          m.assign(mNext);
          v.assign(vNext);
          const denominator = tf.add(tf.div(tf.sqrt(vNext), biasCorrection2Root), epsilon);
          parameter.variable.assign(tf.sub(weight, tf.mul(tf.div(mNext, denominator), stepSize)));
        }
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const { m, v } of slots) {
        m.dispose();
        v.dispose();
      }
    },
  };
}

function zerosVariable(like: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(like);
  // The variable shares the buffer (reference counted); free the plain tensor's handle.
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}
