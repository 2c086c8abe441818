import { broadcast_util, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdLoops, type OperandLayout, type SimdBinaryOp } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu computes every broadcast binary op element by element through index arithmetic
 * (`indexToLoc`/`locToIndex`, about 30x slower than a plain loop), which is what adding a bias row or
 * subtracting a row maximum does, and its unary ops call a function per element. Here both operands are
 * reduced to one of four layouts over a collapsed `[outer, inner]` output (full, a row repeated over `outer`,
 * a column repeated over `inner`, or a scalar), any axes before those two are looped over with strides, and the
 * loop runs in WebAssembly SIMD ({@link SimdLoops}).
 * Float32 + − × ÷ are correctly rounded, as JavaScript's double arithmetic rounded to float32 is, so results
 * are bit-identical to the cpu backend's (NaN and infinities included; NaN payloads may differ).
 */

interface BinaryPlan {
  readonly outer: number;
  readonly inner: number;
  readonly a: OperandLayout;
  readonly b: OperandLayout;
  /**
   * Axes before the `[outer, inner]` block, outermost first (empty when the broadcast collapses to two
   * dimensions): their sizes and, per operand, how far its values move per step along them (0 when it repeats).
   */
  readonly leading: readonly { readonly size: number; readonly aStride: number; readonly bStride: number }[];
}

/** The binary ops with a fast float32 path. */
export type BinaryOp = SimdBinaryOp;

/**
 * Describes `a op b` broadcast to `outShape` as `[...leading, outer, inner]`: adjacent output dimensions along
 * which both operands vary (or repeat) alike are merged, the last two merged dimensions become an `[outer, inner]`
 * loop with a layout per operand, and any before them are looped over with per-operand strides.
 */
export function planBinary(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): BinaryPlan {
  const size = util.sizeFromShape(outShape as number[]);
  const aSize = util.sizeFromShape(aShape as number[]);
  const bSize = util.sizeFromShape(bShape as number[]);
  if (aSize === size && bSize === size) return { outer: 1, inner: size, a: 'full', b: 'full', leading: [] };
  if (aSize === size && bSize === 1) return { outer: 1, inner: size, a: 'full', b: 'scalar', leading: [] };
  if (aSize === 1 && bSize === size) return { outer: 1, inner: size, a: 'scalar', b: 'full', leading: [] };
  // Per output dimension, whether each operand varies along it (a dimension of size 1 in the output is dropped).
  const rank = outShape.length;
  const dims: { size: number; a: boolean; b: boolean }[] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const aDim = aShape[d - (rank - aShape.length)] ?? 1;
    const bDim = bShape[d - (rank - bShape.length)] ?? 1;
    const last = dims[dims.length - 1];
    const entry = { size: outShape[d], a: aDim !== 1, b: bDim !== 1 };
    // Adjacent dimensions with the same pattern merge into one.
    if (last !== undefined && last.a === entry.a && last.b === entry.b) last.size *= entry.size;
    else dims.push(entry);
  }
  while (dims.length < 2) dims.unshift({ size: 1, a: false, b: false });
  const layout = (outerVaries: boolean, innerVaries: boolean): OperandLayout =>
    outerVaries ? (innerVaries ? 'full' : 'column') : innerVaries ? 'row' : 'scalar';
  // Each operand's stride along every merged dimension: the product of the later dimensions it varies along.
  const strides = (varies: (dim: { a: boolean; b: boolean }) => boolean) => {
    const out = new Array<number>(dims.length).fill(0);
    for (let d = dims.length - 1, stride = 1; d >= 0; d--) {
      if (varies(dims[d])) {
        out[d] = stride;
        stride *= dims[d].size;
      }
    }
    return out;
  };
  const aStrides = strides((dim) => dim.a);
  const bStrides = strides((dim) => dim.b);
  const [outerDim, innerDim] = dims.slice(-2);
  const leading = dims.slice(0, -2).map((dim, d) => ({ size: dim.size, aStride: aStrides[d], bStride: bStrides[d] }));
  return { outer: outerDim.size, inner: innerDim.size, a: layout(outerDim.a, innerDim.a), b: layout(outerDim.b, innerDim.b), leading };
}

/**
 * A binary kernel (`Add`, `Sub`, `Multiply`, `RealDiv`) for float32 operands of any broadcast: one SIMD
 * `[outer, inner]` loop per position along the leading axes. Other dtypes run `fallback` (the cpu backend's kernel).
 */
export function binaryKernel(op: BinaryOp, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const aValues = float32Values(backend, a);
    const bValues = float32Values(backend, b);
    if (aValues === undefined || bValues === undefined) return fallback(args);
    const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = util.sizeFromShape(outShape);
    const out = allocate(backend, size);
    if (size !== 0) binaryInto(op, out, aValues, bValues, planBinary(a.shape, b.shape, outShape));
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/** Runs a {@link BinaryPlan}: the `[outer, inner]` loop once per position along the leading axes (an odometer). */
function binaryInto(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array, plan: BinaryPlan): void {
  const loops = simdLoops();
  const { outer, inner, leading } = plan;
  if (leading.length === 0) {
    loops.binary(op, out, a, plan.a, b, plan.b, outer, inner);
    return;
  }
  const blockSize = outer * inner;
  const extent = (layout: OperandLayout) => (layout === 'full' ? blockSize : layout === 'row' ? inner : layout === 'column' ? outer : 1);
  const aExtent = extent(plan.a);
  const bExtent = extent(plan.b);
  const counter = new Array<number>(leading.length).fill(0);
  let aOffset = 0;
  let bOffset = 0;
  for (let start = 0; start < out.length; start += blockSize) {
    loops.binary(op, out.subarray(start, start + blockSize), a.subarray(aOffset, aOffset + aExtent), plan.a, b.subarray(bOffset, bOffset + bExtent), plan.b, outer, inner);
    for (let d = leading.length - 1; d >= 0; d--) {
      counter[d] += 1;
      aOffset += leading[d].aStride;
      bOffset += leading[d].bStride;
      if (counter[d] < leading[d].size) break;
      aOffset -= counter[d] * leading[d].aStride;
      bOffset -= counter[d] * leading[d].bStride;
      counter[d] = 0;
    }
  }
}

/**
 * `Relu` for float32: `max(0, x)` as the cpu backend computes it (`Math.max(0, x)`: NaN stays NaN, −0 becomes +0).
 * Other dtypes run `fallback`.
 */
export function reluKernel(fallback: KernelFunc): KernelFunc {
  return float32UnaryKernel(fallback, (values, out) => simdLoops().relu(values, out));
}

/**
 * The shape every float32 unary kernel here shares: read the input's values (or run `fallback` for other
 * dtypes and layouts), allocate the output, let `compute` fill it, and return it with the input's shape.
 */
function float32UnaryKernel(fallback: KernelFunc, compute: (values: Float32Array, out: Float32Array, args: Parameters<KernelFunc>[0]) => void): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const out = allocate(backend, values.length);
    compute(values, out, args);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

/**
 * `Step` for float32: 1 where `x > 0`, `alpha` elsewhere, NaN where `x` is NaN (the cpu backend's semantics).
 * Other dtypes run `fallback`.
 */
export function stepKernel(fallback: KernelFunc): KernelFunc {
  return float32UnaryKernel(fallback, (values, out, args) => {
    const alpha = Number((args.attrs as NamedAttrMap | undefined)?.alpha ?? 0);
    simdLoops().step(values, out, alpha);
  });
}

const MINUS_ONE = Float32Array.of(-1);

/**
 * Float32 unary math on the fast-cpu backend, in WebAssembly SIMD: `Neg` (`x · −1`) and `Square` (`x · x`) are
 * bit-identical to the cpu kernels; `Exp` (Cephes' expf) and `Erf` (tfjs's Abramowitz-Stegun formula) run in
 * float32 instead of double and stay within 2 ulp (exp; 1 ulp measured) and 5e-7 absolute (erf; 4.4e-7
 * measured over [−6, 6]) of the cpu kernels, whose `Math.exp` alone costs about 10 ns per element. These are
 * the kernels of GELU and of its gradient. Other dtypes run `fallback`.
 */
export function unaryMathKernel(op: 'neg' | 'square' | 'exp' | 'erf', fallback: KernelFunc): KernelFunc {
  return float32UnaryKernel(fallback, (values, out) => {
    const loops = simdLoops();
    if (op === 'neg') loops.binary('mul', out, values, 'full', MINUS_ONE, 'scalar', 1, values.length);
    else if (op === 'square') loops.binary('mul', out, values, 'full', values, 'full', 1, values.length);
    else if (op === 'exp') loops.exp(values, out);
    else loops.erf(values, out);
  });
}
