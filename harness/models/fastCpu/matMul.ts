import { broadcast_util, getKernel, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { ModelError } from '../../errors.ts';
import type { Blas } from './blas.ts';
import { simdLoops } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/** A backend whose matrix products go to a BLAS library. */
export interface BlasBackend extends CpuLikeBackend {
  readonly blas: Blas;
}

interface Product {
  readonly out: Float32Array;
  readonly outShape: number[];
  /** Rows and columns of each matrix in the output. */
  readonly rows: number;
  readonly columns: number;
}

/**
 * `BatchMatMul` through `cblas_sgemm`: the transpose flags go to BLAS (no copies), batch axes broadcast by
 * numpy's rules, and a batch of `a` times one matrix `b` (with `a` not transposed) is one product of
 * `batchA·rows` rows. (tfjs-backend-cpu pairs batch `i` with batches `i mod batchA` and `i mod batchB`, which
 * differs when both operands broadcast, e.g. `[2, 1, m, k]` times `[1, 3, k, n]`; this kernel computes the
 * broadcast product there.) Non-float32 operands run `fallback` (the cpu backend's kernel).
 */
export function batchMatMulKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const product = blasProduct(args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, (args.attrs ?? {}) as NamedAttrMap, args.backend as BlasBackend);
    if (product === undefined) return fallback(args);
    return (args.backend as BlasBackend).makeTensorInfo(product.outShape, 'float32', product.out);
  };
}

/**
 * `_FusedMatMul` (`tf.fused.matMul`, used outside gradient tapes) as one BLAS product, then the bias and a
 * ReLU in a single pass when the bias is a row of `columns` values (or a scalar); other biases go through
 * the backend's `Add` kernel and other activations through their own kernels, as tfjs-backend-cpu does.
 */
export function fusedMatMulKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as BlasBackend;
    const attrs = (args.attrs ?? {}) as NamedAttrMap;
    const bias = args.inputs.bias as TensorInfo | undefined | null;
    const activation = String(attrs.activation ?? 'linear');
    if (bias != null && bias.dtype !== 'float32') return fallback(args);
    const product = blasProduct(args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, attrs, backend);
    if (product === undefined) return fallback(args);
    const { out, columns } = product;
    const biasValues = bias == null ? undefined : float32Values(backend, bias);
    const biasIsRow = biasValues !== undefined && (biasValues.length === 1 || (biasValues.length === columns && bias!.shape[bias!.shape.length - 1] === columns));
    if (bias != null && !biasIsRow) {
      // A bias that varies along rows or batches: the general broadcast Add, then the activation.
      let current = backend.makeTensorInfo(product.outShape, 'float32', out);
      const added = runKernel('Add', { a: current, b: bias }, {}, backend);
      backend.disposeIntermediateTensorInfo(current);
      current = added;
      return applyActivation(current, activation, args.inputs, attrs, backend);
    }
    if (biasValues !== undefined) {
      const loops = simdLoops();
      if (biasValues.length === 1) loops.binary('add', out, out, 'full', biasValues, 'scalar', 1, out.length);
      else loops.binary('add', out, out, 'full', biasValues, 'row', out.length / columns, columns);
    }
    if (activation === 'relu') {
      simdLoops().relu(out, out);
      return backend.makeTensorInfo(product.outShape, 'float32', out);
    }
    const result = backend.makeTensorInfo(product.outShape, 'float32', out);
    return applyActivation(result, activation, args.inputs, attrs, backend);
  };
}

/** Applies a fused activation with the backend's own kernel (none for `linear`); frees `x`. */
function applyActivation(x: TensorInfo, activation: string, inputs: Record<string, unknown>, attrs: NamedAttrMap, backend: BlasBackend): TensorInfo {
  let call: { name: string; inputs: Record<string, TensorInfo>; attrs: NamedAttrMap } | undefined;
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      call = { name: 'Relu', inputs: { x }, attrs: {} };
      break;
    case 'relu6':
      call = { name: 'Relu6', inputs: { x }, attrs: {} };
      break;
    case 'elu':
      call = { name: 'Elu', inputs: { x }, attrs: {} };
      break;
    case 'sigmoid':
      call = { name: 'Sigmoid', inputs: { x }, attrs: {} };
      break;
    case 'leakyrelu':
      call = { name: 'LeakyRelu', inputs: { x }, attrs: { alpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 } };
      break;
    case 'prelu':
      call = { name: 'Prelu', inputs: { x, alpha: inputs.preluActivationWeights as TensorInfo }, attrs: {} };
      break;
    default:
      throw new ModelError(`_FusedMatMul (fast-cpu): unknown activation '${activation}'. Use tf.matMul and apply the activation separately.`);
  }
  const result = runKernel(call.name, call.inputs, call.attrs, backend);
  backend.disposeIntermediateTensorInfo(x);
  return result;
}

function runKernel(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, backend: BlasBackend): TensorInfo {
  const config = getKernel(name, 'fast-cpu') ?? getKernel(name, 'cpu');
  if (config === undefined) throw new ModelError(`fast-cpu: the kernel ${name} is not registered. Import '@tensorflow/tfjs-backend-cpu' before using the fast-cpu backend.`);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** The product `a' · b'` as float32 values, or `undefined` when an operand is not float32 (the caller falls back). */
function blasProduct(a: TensorInfo, b: TensorInfo, attrs: NamedAttrMap, backend: BlasBackend): Product | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  if (aValues === undefined || bValues === undefined) return undefined;
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const inner = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const innerB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const rows = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const columns = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (inner !== innerB) {
    throw new ModelError(
      `matMul (fast-cpu): inner shapes (${inner}) and (${innerB}) of tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = util.sizeFromShape(batchShape);
  const outShape = [...batchShape, rows, columns];
  // Zeros only where BLAS will not write (no shared dimension); BLAS with beta 0 overwrites every element.
  const out = allocate(backend, batch * rows * columns, { zeroed: inner === 0 });
  const result = { out, outShape, rows, columns };
  // Nothing to multiply: an empty output, or (no shared dimension) an output of zeros.
  if (out.length === 0 || inner === 0) return result;
  const blas = backend.blas;
  const lda = transposeA ? rows : inner;
  const ldb = transposeB ? inner : columns;
  if (batchB === 1 && !transposeA) {
    // Every batch of `a` times the same matrix: one product over all rows (row-major batches are contiguous).
    const allRows = batchA * rows;
    blas.sgemm(false, transposeB, allRows, columns, inner, aValues, lda, bValues, ldb, 0, out, columns);
    return result;
  }
  const aStride = rows * inner;
  const bStride = inner * columns;
  const outStride = rows * columns;
  const aBatches = broadcastIndices(a.shape.slice(0, -2), batchShape);
  const bBatches = broadcastIndices(b.shape.slice(0, -2), batchShape);
  for (let i = 0; i < batch; i++) {
    const aOffset = aBatches[i] * aStride;
    const bOffset = bBatches[i] * bStride;
    blas.sgemm(
      transposeA,
      transposeB,
      rows,
      columns,
      inner,
      aOffset === 0 ? aValues : aValues.subarray(aOffset, aOffset + aStride),
      lda,
      bOffset === 0 ? bValues : bValues.subarray(bOffset, bOffset + bStride),
      ldb,
      0,
      i === 0 ? out : out.subarray(i * outStride, (i + 1) * outStride),
      columns,
    );
  }
  return result;
}

/**
 * For each batch of the output (row-major over `outShape`), the index of the batch of an operand whose batch
 * shape `shape` broadcasts to it (numpy rules: missing leading axes and axes of size 1 repeat).
 */
function broadcastIndices(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const count = util.sizeFromShape(outShape as number[]);
  const out = new Int32Array(count);
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  // Strides of the operand's batches, 0 along broadcast axes.
  const strides = new Array<number>(rank).fill(0);
  for (let d = rank - 1, stride = 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 ? 0 : stride;
    stride *= padded[d];
  }
  for (let i = 0; i < count; i++) {
    let rest = i;
    let index = 0;
    for (let d = rank - 1; d >= 0; d--) {
      index += (rest % outShape[d]) * strides[d];
      rest = Math.floor(rest / outShape[d]);
    }
    out[i] = index;
  }
  return out;
}
