import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { FAST_CPU_BACKEND } from './constants.ts';
import { simdLoops } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-core's gradient of Relu is `mul(dy, step(x))`: two kernels, two passes and a temporary. On the
 * fast-cpu backend one kernel computes the same values in one pass (`dy · step(x)`, bit-identical, NaN
 * included). tfjs registers gradients per kernel name for every backend, so the replacement gradient keeps
 * tfjs's formula on every other backend (and for non-float32 tensors).
 */

/** The fast-cpu kernel computing `dy · step(x)` in one pass; registered on fast-cpu only. */
export const RELU_GRAD_KERNEL = 'HypotestReluGrad';

/** The kernel function of {@link RELU_GRAD_KERNEL}: inputs `dy` and `x` (float32, same shape). */
export const reluGradKernel: KernelFunc = (args) => {
  const dy = args.inputs.dy as TensorInfo;
  const x = args.inputs.x as TensorInfo;
  const backend = args.backend as CpuLikeBackend;
  const dyValues = float32Values(backend, dy)!;
  const xValues = float32Values(backend, x)!;
  const out = allocate(backend, xValues.length);
  simdLoops().reluGrad(dyValues, xValues, out);
  return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
};

const isFast = (dy: tf.Tensor, x: tf.Tensor) =>
  tf.getBackend() === FAST_CPU_BACKEND && dy.dtype === 'float32' && x.dtype === 'float32' && dy.size === x.size;

/** tfjs-core's Relu gradient, with the one-pass kernel on fast-cpu. */
const reluGradConfig: GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const gradient = dy as tf.Tensor;
    return {
      x: () => (isFast(gradient, x) ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: gradient, x }) as tf.Tensor) : tf.mul(gradient, tf.cast(tf.step(x), 'float32'))),
    };
  },
};

/** The one-pass kernel's own gradient (for second derivatives): linear in `dy` with the same mask, zero in `x`. */
const reluGradGradConfig: GradConfig = {
  kernelName: RELU_GRAD_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved) => {
    const [x] = saved;
    const gradient = ddx as tf.Tensor;
    return {
      dy: () => (isFast(gradient, x) ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: gradient, x }) as tf.Tensor) : tf.mul(gradient, tf.cast(tf.step(x), 'float32'))),
      x: () => tf.zerosLike(x),
    };
  },
};

const MARK = Symbol.for('hypotest.models.fastCpu.reluGradient');

/**
 * Registers the one-pass ReLU gradient (after tfjs-core's gradients are loaded, which it replaces for Relu).
 * Idempotent; call it again after anything re-registers tfjs's gradients.
 * @example await ensureGradients(); installReluGradient();
 */
export function installReluGradient(): void {
  const current = tf.getGradient(tf.Relu) as (GradConfig & { [MARK]?: true }) | undefined;
  if (current?.[MARK]) return;
  if (tf.getKernel(RELU_GRAD_KERNEL, FAST_CPU_BACKEND) === undefined) {
    tf.registerKernel({ kernelName: RELU_GRAD_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: reluGradKernel });
  }
  tf.registerGradient(Object.assign({ ...reluGradConfig }, { [MARK]: true as const }));
  if (tf.getGradient(RELU_GRAD_KERNEL) === undefined) tf.registerGradient(reluGradGradConfig);
}
