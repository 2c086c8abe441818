import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ModelError } from '../../errors.ts';
import { FAST_CPU_BACKEND } from './constants.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: the mean softmax cross-entropy written with tfjs ops (logSoftmax, multiply, two sums, mean, negate) is
 * about ten kernels forward and ten backward on a [batch, classes] tensor of a few thousand values; on the
 * fast-cpu backend their dispatch costs more than their arithmetic. One kernel computes the loss and one its
 * gradient, each in a single pass in double precision.
 */

/** The fused loss kernel: inputs `logits` and `targets` (float32, `[batch, classes]`), output the scalar mean loss. */
export const CROSS_ENTROPY_KERNEL = 'HypotestMeanSoftmaxCrossEntropy';
/** Its gradient kernel: inputs `dy` (scalar), `logits`, `targets`; outputs the gradients for logits and targets. */
export const CROSS_ENTROPY_GRAD_KERNEL = 'HypotestMeanSoftmaxCrossEntropyGrad';

interface Rows {
  readonly logits: Float32Array;
  readonly targets: Float32Array;
  readonly batch: number;
  readonly classes: number;
}

function rowsOf(args: { inputs: Record<string, unknown>; backend: unknown }): Rows {
  const logits = args.inputs.logits as TensorInfo;
  const targets = args.inputs.targets as TensorInfo;
  const backend = args.backend as CpuLikeBackend;
  return { logits: float32Values(backend, logits)!, targets: float32Values(backend, targets)!, batch: logits.shape[0], classes: logits.shape[1] };
}

/** `log Σ_k exp(z_k − max)` and `max` of one row, in double precision (NaN in, NaN out). */
function rowLogSumExp(z: Float32Array, offset: number, classes: number): { max: number; logSum: number } {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, z[offset + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(z[offset + k] - max);
  return { max, logSum: Math.log(sum) };
}

/** −(1/batch) Σ_i Σ_j t_ij · log softmax(z_i)_j. */
export const crossEntropyKernel: KernelFunc = (args) => {
  const { logits, targets, batch, classes } = rowsOf(args);
  const backend = args.backend as CpuLikeBackend;
  let total = 0;
  for (let i = 0, offset = 0; i < batch; i++, offset += classes) {
    const { max, logSum } = rowLogSumExp(logits, offset, classes);
    for (let j = 0; j < classes; j++) {
      const t = targets[offset + j];
      // A zero target contributes nothing, as long as the logit is finite (0 · log p is 0 in the tf-ops form too).
      total += t * (logits[offset + j] - max - logSum);
    }
  }
  const out = allocate(backend, 1);
  out[0] = batch > 0 ? -total / batch : NaN;
  return backend.makeTensorInfo([], 'float32', out);
};

/** d loss / d z_ij = (dy / batch) · (softmax_ij · Σ_k t_ik − t_ij); d loss / d t_ij = −(dy / batch) · log softmax_ij. */
export const crossEntropyGradKernel: KernelFunc = (args) => {
  const { logits, targets, batch, classes } = rowsOf(args);
  const backend = args.backend as CpuLikeBackend;
  const dy = float32Values(backend, args.inputs.dy as TensorInfo)![0];
  const scale = dy / batch;
  const logitsGrad = allocate(backend, batch * classes);
  const targetsGrad = allocate(backend, batch * classes);
  for (let i = 0, offset = 0; i < batch; i++, offset += classes) {
    const { max, logSum } = rowLogSumExp(logits, offset, classes);
    let targetSum = 0;
    for (let j = 0; j < classes; j++) targetSum += targets[offset + j];
    for (let j = 0; j < classes; j++) {
      const logProbability = logits[offset + j] - max - logSum;
      logitsGrad[offset + j] = scale * (Math.exp(logProbability) * targetSum - targets[offset + j]);
      targetsGrad[offset + j] = -scale * logProbability;
    }
  }
  return [backend.makeTensorInfo([batch, classes], 'float32', logitsGrad), backend.makeTensorInfo([batch, classes], 'float32', targetsGrad)];
};

const crossEntropyGradConfig: GradConfig = {
  kernelName: CROSS_ENTROPY_KERNEL,
  inputsToSave: ['logits', 'targets'],
  gradFunc: (dy, saved) => {
    const [logits, targets] = saved;
    // Both gradients come from one kernel; each thunk asks for it (the engine calls only the ones it needs).
    const both = () => tf.engine().runKernel(CROSS_ENTROPY_GRAD_KERNEL, { dy: dy as tf.Tensor, logits, targets }) as unknown as tf.Tensor[];
    return {
      logits: () => {
        const [logitsGrad, targetsGrad] = both();
        targetsGrad.dispose();
        return logitsGrad;
      },
      targets: () => {
        const [logitsGrad, targetsGrad] = both();
        logitsGrad.dispose();
        return targetsGrad;
      },
    };
  },
};

/** Registers the two kernels on fast-cpu and the loss's gradient (idempotent). */
export function registerCrossEntropy(): void {
  if (tf.getKernel(CROSS_ENTROPY_KERNEL, FAST_CPU_BACKEND) === undefined) {
    tf.registerKernel({ kernelName: CROSS_ENTROPY_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: crossEntropyKernel });
    tf.registerKernel({ kernelName: CROSS_ENTROPY_GRAD_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: crossEntropyGradKernel });
  }
  if (tf.getGradient(CROSS_ENTROPY_KERNEL) === undefined) tf.registerGradient(crossEntropyGradConfig);
}

/**
 * The mean softmax cross-entropy of `logits` against `targets` (both `[batch, classes]`, float32) as one fast-cpu
 * kernel, differentiable with respect to both. Only on the fast-cpu backend.
 * @throws {ModelError} on another backend or for other shapes or dtypes.
 * @example fusedMeanCrossEntropy(logits, oneHotTargets) // a scalar tensor
 */
export function fusedMeanCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (tf.getBackend() !== FAST_CPU_BACKEND || logits.dtype !== 'float32' || targets.dtype !== 'float32' || logits.rank !== 2 || !tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new ModelError('fusedMeanCrossEntropy: needs float32 logits and targets of the same [batch, classes] shape on the fast-cpu backend. Use meanCrossEntropy, which picks the right form.');
  }
  registerCrossEntropy();
  return tf.engine().runKernel(CROSS_ENTROPY_KERNEL, { logits, targets }) as tf.Scalar;
}
