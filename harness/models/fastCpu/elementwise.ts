import { broadcast_util, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdLoops, type OperandLayout, type SimdBinaryOp } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu computes every broadcast binary op element by element through index arithmetic
 * (`indexToLoc`/`locToIndex`, about 30x slower than a plain loop), which is what adding a bias row or
 * subtracting a row maximum does, and its unary ops call a function per element. Here both operands are
 * reduced to one of four layouts over a collapsed `[outer, inner]` output (full, a row repeated over `outer`,
 * a column repeated over `inner`, or a scalar) and the loop runs in WebAssembly SIMD ({@link SimdLoops}).
 * Float32 + − × ÷ are correctly rounded, as JavaScript's double arithmetic rounded to float32 is, so results
 * are bit-identical to the cpu backend's (NaN and infinities included; NaN payloads may differ).
 */

interface BinaryPlan {
  readonly outer: number;
  readonly inner: number;
  readonly a: OperandLayout;
  readonly b: OperandLayout;
}

/** The binary ops with a fast float32 path. */
export type BinaryOp = SimdBinaryOp;

/**
 * Describes `a op b` broadcast to `outShape` as an `[outer, inner]` loop, or returns `undefined` when the
 * broadcast needs more than two collapsed dimensions (then the caller falls back to the cpu kernel).
 */
export function planBinary(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): BinaryPlan | undefined {
  const size = util.sizeFromShape(outShape as number[]);
  const aSize = util.sizeFromShape(aShape as number[]);
  const bSize = util.sizeFromShape(bShape as number[]);
  if (aSize === size && bSize === size) return { outer: 1, inner: size, a: 'full', b: 'full' };
  if (aSize === size && bSize === 1) return { outer: 1, inner: size, a: 'full', b: 'scalar' };
  if (aSize === 1 && bSize === size) return { outer: 1, inner: size, a: 'scalar', b: 'full' };
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
  if (dims.length !== 2) return undefined;
  const [outerDim, innerDim] = dims;
  const layout = (outerVaries: boolean, innerVaries: boolean): OperandLayout =>
    outerVaries ? (innerVaries ? 'full' : 'column') : innerVaries ? 'row' : 'scalar';
  return { outer: outerDim.size, inner: innerDim.size, a: layout(outerDim.a, innerDim.a), b: layout(outerDim.b, innerDim.b) };
}

/**
 * A binary kernel (`Add`, `Sub`, `Multiply`, `RealDiv`) with a fast path for float32 operands whose broadcast
 * collapses to two dimensions; other dtypes and broadcasts run `fallback` (the cpu backend's kernel).
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
    const plan = size === 0 ? undefined : planBinary(a.shape, b.shape, outShape);
    if (size !== 0 && plan === undefined) return fallback(args);
    const out = allocate(backend, size);
    if (plan !== undefined) simdLoops().binary(op, out, aValues, plan.a, bValues, plan.b, plan.outer, plan.inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
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
