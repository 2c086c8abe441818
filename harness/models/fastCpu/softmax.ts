import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { simdLoops } from './simd.ts';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu's Softmax is six kernels (max, reshape, subtract, exp, sum, divide) called on the cpu
 * module directly, so none of fast-cpu's kernels serve it, and its broadcast subtract and divide go element by
 * element through index arithmetic (21% of a ViT training step measured). Here: one pass for the row maxima and
 * the shifted logits, exp in WebAssembly SIMD, one pass for the sums (in double precision) and the division.
 */

/**
 * `Softmax` over the last axis (the only axis tfjs supports) for float32 logits:
 * `exp(z − max) / Σ exp(z − max)` per row. Exp is fast-cpu's float32 exp (within 2 ulp of `Math.exp`), and the
 * sum accumulates in double precision, so results are within a few ulp of the cpu kernel's. Other dtypes run
 * `fallback` (the cpu backend's kernel). A row with NaN gives NaN; a row whose maximum is infinite gives NaN, as
 * the cpu kernel does.
 */
export function softmaxKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const logits = args.inputs.logits as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const values = logits.dtype === 'float32' ? float32Values(backend, logits) : undefined;
    const dim = Number((args.attrs as NamedAttrMap | undefined)?.dim ?? -1);
    const rank = logits.shape.length;
    if (values === undefined || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const classes = logits.shape[rank - 1];
    const out = allocate(backend, values.length);
    softmaxRows(out, values, classes);
    return backend.makeTensorInfo(logits.shape.slice(), 'float32', out);
  };
}

/**
 * `out` = softmax of each row of `classes` values of `x` (row-major).
 * @example softmaxRows(out, Float32Array.of(0, Math.log(3)), 2) // out ≈ [0.25, 0.75]
 */
export function softmaxRows(out: Float32Array, x: Float32Array, classes: number): void {
  if (classes === 0 || x.length === 0) return;
  const rows = x.length / classes;
  for (let r = 0, offset = 0; r < rows; r++, offset += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) {
      const v = x[offset + k];
      // NaN must win (Math.max semantics), as it does in the cpu kernel's Max.
      if (v > max || v !== v) max = v;
      if (max !== max) break;
    }
    for (let k = 0; k < classes; k++) out[offset + k] = x[offset + k] - max;
  }
  simdLoops().exp(out, out);
  for (let r = 0, offset = 0; r < rows; r++, offset += classes) {
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[offset + k];
    for (let k = 0; k < classes; k++) out[offset + k] = out[offset + k] / sum;
  }
}
