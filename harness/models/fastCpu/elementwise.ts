import { broadcast_util, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu computes every broadcast binary op element by element through index arithmetic
 * (`indexToLoc`/`locToIndex`, about 30x slower than a plain loop), which is what adding a bias row or
 * subtracting a row maximum does. Here both operands are reduced to one of four layouts over a collapsed
 * `[outer, inner]` output (full, a row repeated over `outer`, a column repeated over `inner`, or a scalar)
 * and each op has its own loop. Arithmetic is JavaScript's double arithmetic rounded to float32 on store,
 * exactly as the cpu backend does, so results are bit-identical to it (NaN and infinities included).
 */

/** How one operand is laid out over the collapsed `[outer, inner]` output. */
const enum Layout {
  /** `outer * inner` values, index `o * inner + i`. */
  Full,
  /** `inner` values, index `i` (broadcast over `outer`). */
  Row,
  /** `outer` values, index `o` (broadcast over `inner`). */
  Column,
  /** One value. */
  Scalar,
}

interface BinaryPlan {
  readonly outer: number;
  readonly inner: number;
  readonly a: Layout;
  readonly b: Layout;
}

/** The binary ops with a fast float32 path. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * Describes `a op b` broadcast to `outShape` as an `[outer, inner]` loop, or returns `undefined` when the
 * broadcast needs more than two collapsed dimensions (then the caller falls back to the cpu kernel).
 */
export function planBinary(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): BinaryPlan | undefined {
  const size = util.sizeFromShape(outShape as number[]);
  const aSize = util.sizeFromShape(aShape as number[]);
  const bSize = util.sizeFromShape(bShape as number[]);
  if (aSize === size && bSize === size) return { outer: 1, inner: size, a: Layout.Full, b: Layout.Full };
  if (aSize === size && bSize === 1) return { outer: 1, inner: size, a: Layout.Full, b: Layout.Scalar };
  if (aSize === 1 && bSize === size) return { outer: 1, inner: size, a: Layout.Scalar, b: Layout.Full };
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
  const layout = (outerVaries: boolean, innerVaries: boolean): Layout =>
    outerVaries ? (innerVaries ? Layout.Full : Layout.Column) : innerVaries ? Layout.Row : Layout.Scalar;
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
    const plan = size === 0 ? { outer: 0, inner: 0, a: Layout.Full, b: Layout.Full } : planBinary(a.shape, b.shape, outShape);
    if (plan === undefined) return fallback(args);
    const out = allocate(backend, size);
    LOOPS[op](out, aValues, plan.a, bValues, plan.b, plan.outer, plan.inner);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

type Loop = (out: Float32Array, a: Float32Array, aLayout: Layout, b: Float32Array, bLayout: Layout, outer: number, inner: number) => void;

// One function per op, so that each inner loop stays monomorphic and the arithmetic is inlined. Within a row,
// an operand is either a vector (Full: offset o * inner; Row: offset 0) or a constant (Column: a[o]; Scalar: a[0]).
const LOOPS: Record<BinaryOp, Loop> = {
  add(out, a, aLayout, b, bLayout, outer, inner) {
    for (let o = 0, base = 0; o < outer; o++, base += inner) {
      const aVector = aLayout === Layout.Full || aLayout === Layout.Row;
      const bVector = bLayout === Layout.Full || bLayout === Layout.Row;
      const aOffset = aLayout === Layout.Full ? base : 0;
      const bOffset = bLayout === Layout.Full ? base : 0;
      const aConstant = aLayout === Layout.Column ? a[o] : a[0];
      const bConstant = bLayout === Layout.Column ? b[o] : b[0];
      if (aVector && bVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] + b[bOffset + i];
      else if (aVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] + bConstant;
      else if (bVector) for (let i = 0; i < inner; i++) out[base + i] = aConstant + b[bOffset + i];
      else out.fill(aConstant + bConstant, base, base + inner);
    }
  },
  sub(out, a, aLayout, b, bLayout, outer, inner) {
    for (let o = 0, base = 0; o < outer; o++, base += inner) {
      const aVector = aLayout === Layout.Full || aLayout === Layout.Row;
      const bVector = bLayout === Layout.Full || bLayout === Layout.Row;
      const aOffset = aLayout === Layout.Full ? base : 0;
      const bOffset = bLayout === Layout.Full ? base : 0;
      const aConstant = aLayout === Layout.Column ? a[o] : a[0];
      const bConstant = bLayout === Layout.Column ? b[o] : b[0];
      if (aVector && bVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] - b[bOffset + i];
      else if (aVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] - bConstant;
      else if (bVector) for (let i = 0; i < inner; i++) out[base + i] = aConstant - b[bOffset + i];
      else out.fill(aConstant - bConstant, base, base + inner);
    }
  },
  mul(out, a, aLayout, b, bLayout, outer, inner) {
    for (let o = 0, base = 0; o < outer; o++, base += inner) {
      const aVector = aLayout === Layout.Full || aLayout === Layout.Row;
      const bVector = bLayout === Layout.Full || bLayout === Layout.Row;
      const aOffset = aLayout === Layout.Full ? base : 0;
      const bOffset = bLayout === Layout.Full ? base : 0;
      const aConstant = aLayout === Layout.Column ? a[o] : a[0];
      const bConstant = bLayout === Layout.Column ? b[o] : b[0];
      if (aVector && bVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] * b[bOffset + i];
      else if (aVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] * bConstant;
      else if (bVector) for (let i = 0; i < inner; i++) out[base + i] = aConstant * b[bOffset + i];
      else out.fill(aConstant * bConstant, base, base + inner);
    }
  },
  div(out, a, aLayout, b, bLayout, outer, inner) {
    for (let o = 0, base = 0; o < outer; o++, base += inner) {
      const aVector = aLayout === Layout.Full || aLayout === Layout.Row;
      const bVector = bLayout === Layout.Full || bLayout === Layout.Row;
      const aOffset = aLayout === Layout.Full ? base : 0;
      const bOffset = bLayout === Layout.Full ? base : 0;
      const aConstant = aLayout === Layout.Column ? a[o] : a[0];
      const bConstant = bLayout === Layout.Column ? b[o] : b[0];
      if (aVector && bVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] / b[bOffset + i];
      else if (aVector) for (let i = 0; i < inner; i++) out[base + i] = a[aOffset + i] / bConstant;
      else if (bVector) for (let i = 0; i < inner; i++) out[base + i] = aConstant / b[bOffset + i];
      else out.fill(aConstant / bConstant, base, base + inner);
    }
  },
};

/**
 * `Relu` for float32: `max(0, x)` as the cpu backend computes it (`Math.max(0, x)`: NaN stays NaN, −0 becomes +0).
 * Other dtypes run `fallback`.
 */
export function reluKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const out = allocate(backend, values.length);
    reluInto(out, values, values.length);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

/** `out[i] = max(0, x[i])` for `i < count`, with `Math.max`'s NaN and signed-zero behaviour; `out` may be `x`. */
export function reluInto(out: Float32Array, x: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = x[i];
    // v > 0 keeps v; NaN stays NaN (v !== v); everything else, −0 included, becomes +0.
    out[i] = v > 0 ? v : v !== v ? v : 0;
  }
}

/**
 * `Step` for float32: 1 where `x > 0`, `alpha` elsewhere, NaN where `x` is NaN (the cpu backend's semantics).
 * Other dtypes run `fallback`.
 */
export function stepKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    if (values === undefined) return fallback(args);
    const alpha = Number((args.attrs as NamedAttrMap | undefined)?.alpha ?? 0);
    const out = allocate(backend, values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
    }
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}
