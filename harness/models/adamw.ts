import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import type { Parameter } from './classifier.ts';
import { AdamWMoments } from './fastCpu/adamwUpdate.ts';
import type { FastCpuBackend } from './fastCpu/backend.ts';
import { FAST_CPU_BACKEND } from './fastCpu/constants.ts';

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
 * On the `fast-cpu` backend the moments live in WebAssembly memory and each parameter is updated in place in one
 * fused pass ({@link AdamWMoments}); the variables keep their tensors (tfjs's bookkeeping is untouched), and a
 * value array that a caller could still see (handed to `tf.tensor`, or shared with another tensor) is copied
 * first. On other backends the update is written with tfjs ops. Both follow PyTorch to float32 rounding.
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

  const decays = parameters.map((p) => weightDecay > 0 && (p.role === 'weight' || decayBiases));
  // The moments: in WebAssembly memory while training runs on fast-cpu, else (or once a step needs tf ops) tensors.
  let resident: AdamWMoments | undefined = tf.getBackend() === FAST_CPU_BACKEND ? new AdamWMoments(parameters.map((p) => p.variable.size)) : undefined;
  let tensors: { m: tf.Variable; v: tf.Variable }[] | undefined =
    resident === undefined ? parameters.map((p) => ({ m: zerosVariable(p.variable), v: zerosVariable(p.variable) })) : undefined;
  let steps = 0;
  let disposed = false;

  /** Moves the moments out of WebAssembly memory into tensors (when a step has to use tf ops). */
  const momentTensors = (): { m: tf.Variable; v: tf.Variable }[] => {
    if (tensors === undefined) {
      const moments = resident!;
      tensors = parameters.map((p, i) => ({ m: variableOf(moments.m(i), p.variable.shape), v: variableOf(moments.v(i), p.variable.shape) }));
      resident = undefined;
    }
    return tensors;
  };

  return {
    get steps() {
      return steps;
    },
    step(grads) {
      if (disposed) throw new ModelError('AdamW.step: the optimiser was disposed. Create a new one.');
      for (const parameter of parameters) {
        if (grads[parameter.variable.name] === undefined) {
          throw new ModelError(`AdamW.step: no gradient for parameter '${parameter.name}'. Pass the gradients of every parameter (tf.variableGrads over all of them).`);
        }
      }
      steps += 1;
      const biasCorrection2Root = Math.sqrt(1 - beta2 ** steps);
      const stepSize = learningRate / (1 - beta1 ** steps);
      const decayFactorOf = (i: number) => (decays[i] ? 1 - learningRate * weightDecay : 1);
      if (resident !== undefined && tf.getBackend() === FAST_CPU_BACKEND) {
        const backend = tf.backend() as FastCpuBackend;
        const moments = resident;
        const fused = parameters.map((p) => fusedOperands(backend, p.variable, grads[p.variable.name]));
        if (fused.every((operands) => operands !== undefined)) {
          fused.forEach((operands, i) => {
            moments.update(i, operands!.weights, operands!.gradient, { decayFactor: decayFactorOf(i), beta1, beta2, biasCorrection2Root, epsilon, stepSize });
          });
          return;
        }
      }
      const moments = momentTensors();
      parameters.forEach((parameter, i) => {
        const { m, v } = moments[i];
        const gradient = grads[parameter.variable.name];
        const decayFactor = decayFactorOf(i);
        tf.tidy(() => {
          const weight: tf.Tensor = decayFactor !== 1 ? tf.mul(parameter.variable, decayFactor) : parameter.variable;
          const mNext = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
          const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
          m.assign(mNext);
          v.assign(vNext);
          const denominator = tf.add(tf.div(tf.sqrt(vNext), biasCorrection2Root), epsilon);
          parameter.variable.assign(tf.sub(weight, tf.mul(tf.div(mNext, denominator), stepSize)));
        });
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      resident = undefined;
      for (const { m, v } of tensors ?? []) {
        m.dispose();
        v.dispose();
      }
      tensors = undefined;
    },
  };
}

/**
 * The variable's values, private to it and writable in place, and the gradient's values, when both are float32
 * tensors of the same size on the fast-cpu backend; `undefined` otherwise (the step then uses tf ops). A
 * variable whose data other tensors share (e.g. `tf.clone` of it) first gets a buffer of its own.
 */
function fusedOperands(backend: FastCpuBackend, variable: tf.Variable, gradient: tf.Tensor): { weights: Float32Array; gradient: Float32Array } | undefined {
  if (variable.dtype !== 'float32' || gradient.dtype !== 'float32' || gradient.size !== variable.size) return undefined;
  if (!backend.holds(variable.dataId) || !backend.holds(gradient.dataId)) return undefined;
  const gradientValues = backend.float32(gradient.dataId);
  if (gradientValues === undefined) return undefined;
  let weights = backend.privateFloat32(variable.dataId);
  if (weights === undefined) {
    const fresh = tf.tensor(Float32Array.from(variable.dataSync() as Float32Array), variable.shape, 'float32');
    variable.assign(fresh);
    fresh.dispose();
    weights = backend.privateFloat32(variable.dataId);
  }
  return weights === undefined ? undefined : { weights, gradient: gradientValues };
}

function variableOf(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(Float32Array.from(values), shape, 'float32');
  const variable = tf.variable(initial, false);
  initial.dispose();
  return variable;
}

function zerosVariable(like: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(like);
  // The variable shares the buffer (reference counted); free the plain tensor's handle.
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}
