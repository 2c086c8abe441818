import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ModelError } from '../../errors.ts';
import { FAST_CPU_BACKEND } from './constants.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: a LayerNorm written with tfjs ops (moments: two means, a subtraction, a square; then subtract, add, rsqrt,
 * two multiplies and an add) is about ten kernels forward and twenty backward, each a pass over the activations
 * and several through broadcasts. One kernel computes the normalisation and one its three gradients, per row in
 * double precision.
 */

/** The fused kernel: inputs `x` `[rows, features]`, `gain` and `offset` `[features]` (float32); attr `epsilon`. */
export const LAYER_NORM_KERNEL = 'HypotestLayerNorm';
/** Its gradient kernel: inputs `dy`, `x`, `gain`; attr `epsilon`; outputs the gradients for x, gain and offset. */
export const LAYER_NORM_GRAD_KERNEL = 'HypotestLayerNormGrad';

interface Operands {
  readonly x: Float32Array;
  readonly gain: Float32Array;
  readonly rows: number;
  readonly features: number;
  readonly epsilon: number;
}

function operandsOf(args: { inputs: Record<string, unknown>; backend: unknown; attrs?: NamedAttrMap }): Operands {
  const x = args.inputs.x as TensorInfo;
  const backend = args.backend as CpuLikeBackend;
  const features = x.shape[1];
  return {
    x: float32Values(backend, x)!,
    gain: float32Values(backend, args.inputs.gain as TensorInfo)!,
    rows: x.shape[0],
    features,
    epsilon: Number(args.attrs?.epsilon),
  };
}

/** Mean and `1 / sqrt(var + epsilon)` (biased variance) of one row, in double precision, two passes. */
function rowMoments(x: Float32Array, offset: number, features: number, epsilon: number): { mean: number; inverseDeviation: number } {
  let sum = 0;
  for (let k = 0; k < features; k++) sum += x[offset + k];
  const mean = sum / features;
  let squares = 0;
  for (let k = 0; k < features; k++) {
    const d = x[offset + k] - mean;
    squares += d * d;
  }
  return { mean, inverseDeviation: 1 / Math.sqrt(squares / features + epsilon) };
}

/** `y = (x − mean) / sqrt(var + epsilon) · gain + offset`, per row. */
export const layerNormKernel: KernelFunc = (args) => {
  const { x, gain, rows, features, epsilon } = operandsOf(args);
  const backend = args.backend as CpuLikeBackend;
  const offsetValues = float32Values(backend, args.inputs.offset as TensorInfo)!;
  const out = allocate(backend, rows * features);
  for (let r = 0, base = 0; r < rows; r++, base += features) {
    const { mean, inverseDeviation } = rowMoments(x, base, features, epsilon);
    for (let k = 0; k < features; k++) out[base + k] = (x[base + k] - mean) * inverseDeviation * gain[k] + offsetValues[k];
  }
  return backend.makeTensorInfo([rows, features], 'float32', out);
};

/**
 * With `x̂ = (x − mean) · s`, `s = 1 / sqrt(var + epsilon)` and `g = dy · gain` per row, all three gradients in one
 * pass: `dx = s · (g − mean(g) − x̂ · mean(g · x̂))`, `dgain = Σ_rows dy · x̂`, `doffset = Σ_rows dy`, with sums in
 * double precision.
 */
export const layerNormGradKernel: KernelFunc = (args) => {
  const { x, gain, rows, features, epsilon } = operandsOf(args);
  const backend = args.backend as CpuLikeBackend;
  const dy = float32Values(backend, args.inputs.dy as TensorInfo)!;
  const dx = allocate(backend, rows * features);
  const gainSums = new Float64Array(features);
  const offsetSums = new Float64Array(features);
  const normalised = new Float64Array(features);
  for (let r = 0, base = 0; r < rows; r++, base += features) {
    const { mean, inverseDeviation } = rowMoments(x, base, features, epsilon);
    let gSum = 0;
    let gxSum = 0;
    for (let k = 0; k < features; k++) {
      const xHat = (x[base + k] - mean) * inverseDeviation;
      const d = dy[base + k];
      const g = d * gain[k];
      normalised[k] = xHat;
      gSum += g;
      gxSum += g * xHat;
      gainSums[k] += d * xHat;
      offsetSums[k] += d;
    }
    const gMean = gSum / features;
    const gxMean = gxSum / features;
    for (let k = 0; k < features; k++) dx[base + k] = inverseDeviation * (dy[base + k] * gain[k] - gMean - normalised[k] * gxMean);
  }
  const dGain = allocate(backend, features);
  const dOffset = allocate(backend, features);
  for (let k = 0; k < features; k++) {
    dGain[k] = gainSums[k];
    dOffset[k] = offsetSums[k];
  }
  return [
    backend.makeTensorInfo([rows, features], 'float32', dx),
    backend.makeTensorInfo([features], 'float32', dGain),
    backend.makeTensorInfo([features], 'float32', dOffset),
  ];
};

const layerNormGradConfig: GradConfig = {
  kernelName: LAYER_NORM_KERNEL,
  inputsToSave: ['x', 'gain'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gain] = saved;
    // The engine asks for each gradient in its own tidy (tensors made for one are freed before the next), so the
    // first one asked runs the kernel and keeps the other two as plain values (features each) for the later ones.
    const values: Partial<Record<'gain' | 'offset', Float32Array>> = {};
    const run = () => tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy: dy as tf.Tensor, x, gain }, { epsilon: Number((attrs as NamedAttrMap).epsilon) }) as unknown as tf.Tensor[];
    const parameterGradient = (which: 'gain' | 'offset') => () => {
      const cached = values[which];
      if (cached !== undefined) return tf.tensor1d(cached, 'float32');
      const all = run();
      const keep = all[which === 'gain' ? 1 : 2];
      for (const t of all) if (t !== keep) t.dispose();
      return keep;
    };
    return {
      x: () => {
        const [dx, dGain, dOffset] = run();
        values.gain = dGain.dataSync() as Float32Array;
        values.offset = dOffset.dataSync() as Float32Array;
        tf.dispose([dGain, dOffset]);
        return dx;
      },
      gain: parameterGradient('gain'),
      offset: parameterGradient('offset'),
    };
  },
};

/** Registers the two kernels on fast-cpu and the gradient of the fused LayerNorm (idempotent). */
export function registerLayerNorm(): void {
  if (tf.getKernel(LAYER_NORM_KERNEL, FAST_CPU_BACKEND) === undefined) {
    tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: layerNormKernel });
    tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: layerNormGradKernel });
  }
  if (tf.getGradient(LAYER_NORM_KERNEL) === undefined) tf.registerGradient(layerNormGradConfig);
}

/**
 * Layer normalisation of `x` `[rows, features]` over its last axis (biased variance, PyTorch's `nn.LayerNorm`),
 * scaled by `gain` and shifted by `offset`, as one fast-cpu kernel, differentiable with respect to all three.
 * Only on the fast-cpu backend with float32 operands.
 * @throws {ModelError} on another backend, or for other shapes or dtypes.
 * @example fusedLayerNorm(x, gain, offset, 1e-5) // [rows, features]
 */
export function fusedLayerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, offset: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  const features = x.shape[1];
  if (
    tf.getBackend() !== FAST_CPU_BACKEND ||
    x.rank !== 2 ||
    [x, gain, offset].some((t) => t.dtype !== 'float32') ||
    gain.rank !== 1 ||
    offset.rank !== 1 ||
    gain.shape[0] !== features ||
    offset.shape[0] !== features ||
    !(epsilon >= 0)
  ) {
    throw new ModelError('fusedLayerNorm: needs float32 x [rows, features], gain and offset [features] and epsilon >= 0 on the fast-cpu backend. Use layerNorm, which picks the right form.');
  }
  registerLayerNorm();
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gain, offset }, { epsilon }) as tf.Tensor2D;
}
