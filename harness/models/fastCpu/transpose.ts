import { util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu's Transpose converts every output index to coordinates and back (`indexToLoc`,
 * `locToIndex`), about 100 ns per element; a ViT training step transposes 2 million values around attention
 * (46% of a step measured). Here adjacent axes that stay adjacent are merged first, then the output is written
 * in order with the input read at precomputed strides: a plain copy, bit-identical to the cpu kernel.
 */

/**
 * `Transpose` for float32 tensors of any rank: the output in order, the input read with strides. Other dtypes
 * run `fallback` (the cpu backend's kernel).
 */
export function transposeKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const perm = (args.attrs as NamedAttrMap).perm as number[];
    const outShape = perm.map((axis) => x.shape[axis]);
    const out = allocate(backend, values.length);
    transposeInto(out, values, x.shape, perm);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * Writes `x` (row-major, `shape`) transposed by `perm` into `out`: `out[i_0, …, i_{n−1}] = x[j]` with
 * `j_{perm[k]} = i_k`, as `tf.transpose` defines it.
 * @example transposeInto(out, Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]) // out = [1, 4, 2, 5, 3, 6]
 */
export function transposeInto(out: Float32Array, x: Float32Array, shape: readonly number[], perm: readonly number[]): void {
  const { sizes, strides } = collapse(shape, perm);
  const rank = sizes.length;
  if (x.length === 0) return;
  if (rank === 1) {
    // The permutation keeps the memory order (after dropping axes of size 1): a copy.
    out.set(x.subarray(0, out.length));
    return;
  }
  // The innermost output axis in a tight loop, the next one around it, the rest by an odometer.
  const innerSize = sizes[rank - 1];
  const innerStride = strides[rank - 1];
  const middleSize = sizes[rank - 2];
  const middleStride = strides[rank - 2];
  const outerRank = rank - 2;
  const counter = new Array<number>(outerRank).fill(0);
  const outerCount = out.length / (innerSize * middleSize);
  let o = 0;
  let base = 0;
  for (let block = 0; block < outerCount; block++) {
    for (let m = 0, row = base; m < middleSize; m++, row += middleStride) {
      for (let i = 0, j = row; i < innerSize; i++, j += innerStride) out[o++] = x[j];
    }
    // Advance the odometer over the outer output axes (last fastest).
    for (let d = outerRank - 1; d >= 0; d--) {
      counter[d] += 1;
      base += strides[d];
      if (counter[d] < sizes[d]) break;
      base -= counter[d] * strides[d];
      counter[d] = 0;
    }
  }
}

/**
 * The transpose as output axes with their sizes and input strides, after dropping axes of size 1 and merging
 * output-adjacent axes that are adjacent, in the same order, in the input.
 */
function collapse(shape: readonly number[], perm: readonly number[]): { sizes: number[]; strides: number[] } {
  const inputStrides = util.computeStrides(shape as number[]);
  const strideOf = (axis: number) => (axis === shape.length - 1 ? 1 : inputStrides[axis]);
  const sizes: number[] = [];
  const strides: number[] = [];
  let lastAxis = -2;
  for (const axis of perm) {
    const size = shape[axis];
    if (size === 1) continue;
    if (axis === lastAxis + 1 && sizes.length > 0) {
      // Input axis `axis` follows `lastAxis` directly: one axis of the combined size, the inner stride.
      sizes[sizes.length - 1] *= size;
      strides[strides.length - 1] = strideOf(axis);
    } else {
      sizes.push(size);
      strides.push(strideOf(axis));
    }
    lastAxis = axis;
  }
  if (sizes.length === 0) return { sizes: [1], strides: [1] };
  return { sizes, strides };
}
