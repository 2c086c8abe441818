import { backend_util, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { CHUNK, simdLoops } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu's Sum transposes the reduced axes to the end first (a full copy through index
 * arithmetic) whenever they are not the innermost ones; the gradient of a bias (`sum(dy, 0)` over
 * `[batch, units]`) always takes that path. A contiguous block of reduced axes is summed here in place as
 * `[outer, reduce, inner]`. Each output accumulates in double precision in the order of the reduced index,
 * as the cpu backend does, so results are bit-identical to it.
 */

/**
 * `Sum` for float32 tensors whose reduced axes form one contiguous block (after dropping axes of size 1);
 * other dtypes and axis patterns run `fallback` (the cpu backend's kernel).
 */
export function sumKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const attrs = (args.attrs ?? {}) as NamedAttrMap;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const plan = planReduction(x.shape, axes);
    if (plan === undefined) return fallback(args);
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = allocate(backend, plan.outer * plan.inner);
    sumInto(out, values, plan.outer, plan.reduce, plan.inner);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** `x` viewed as `[outer, reduce, inner]`, or `undefined` when the reduced axes are not contiguous. */
export function planReduction(shape: readonly number[], axes: readonly number[]): { outer: number; reduce: number; inner: number } | undefined {
  const reduced = new Set(axes);
  let outer = 1;
  let reduce = 1;
  let inner = 1;
  // 0: before the reduced block, 1: inside it, 2: after it.
  let phase = 0;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const isReduced = reduced.has(d);
    if (isReduced) {
      if (phase === 2) return undefined;
      phase = 1;
      reduce *= size;
    } else if (phase === 0) {
      outer *= size;
    } else {
      phase = 2;
      inner *= size;
    }
  }
  return { outer, reduce, inner };
}

/** `out[o, i] = Σ_r x[o, r, i]`, accumulated in double precision in the order of `r`. */
export function sumInto(out: Float32Array, x: Float32Array, outer: number, reduce: number, inner: number): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let sum = 0;
      const base = o * reduce;
      for (let r = 0; r < reduce; r++) sum += x[base + r];
      out[o] = sum;
    }
    return;
  }
  if (inner <= CHUNK / 2) {
    simdLoops().sumMiddle(x, out, outer, reduce, inner);
    return;
  }
  const accumulator = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    accumulator.fill(0);
    for (let r = 0; r < reduce; r++) {
      const base = (o * reduce + r) * inner;
      for (let i = 0; i < inner; i++) accumulator[i] += x[base + i];
    }
    const target = o * inner;
    for (let i = 0; i < inner; i++) out[target + i] = accumulator[i];
  }
}

/** Scratch for Mean's quotients, reused across calls (JavaScript runs one kernel at a time). */
let meanScratch = new Float32Array(0);

/**
 * `Mean` for float32 tensors on {@link sumKernel}'s plan: each value divided by the count in float32 (as
 * tfjs-backend-cpu's Mean does, through its own Cast, RealDiv and Sum that bypass the fast kernels), then summed
 * in double precision in the order of the reduced index, so results are bit-identical to the cpu kernel's.
 * Other dtypes and axis patterns run `fallback`.
 */
export function meanKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const attrs = (args.attrs ?? {}) as NamedAttrMap;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const plan = planReduction(x.shape, axes);
    if (plan === undefined) return fallback(args);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const count = util.sizeFromShape(reduceShape);
    if (meanScratch.length < values.length) meanScratch = new Float32Array(values.length);
    const quotients = meanScratch.subarray(0, values.length);
    if (values.length > 0) simdLoops().binary('div', quotients, values, 'full', Float32Array.of(count), 'scalar', 1, values.length);
    const out = allocate(backend, plan.outer * plan.inner);
    sumInto(out, quotients, plan.outer, plan.reduce, plan.inner);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}
