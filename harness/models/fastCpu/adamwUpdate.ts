import { CHUNK, instantiateSimd, wasmMemory, type SimdExports } from './simd.ts';

/** The per-step constants of one AdamW update (PyTorch's `torch.optim.AdamW`, `foreach=False`, no amsgrad). */
export interface AdamWStepConstants {
  /** `1 − lr·λ` for a decayed parameter, 1 for one that is not decayed. */
  readonly decayFactor: number;
  readonly beta1: number;
  readonly beta2: number;
  /** `sqrt(1 − β2^t)`. */
  readonly biasCorrection2Root: number;
  readonly epsilon: number;
  /** `lr / (1 − β1^t)`. */
  readonly stepSize: number;
}

/**
 * AdamW's moment estimates for a list of parameters, kept in a WebAssembly memory of their own, and the fused
 * update that reads them there: one pass per parameter, four lanes at a time, in float32 arithmetic in
 * PyTorch's order of operations (`torch.optim.AdamW`, PyTorch 1.13, `foreach=False`):
 *
 * ```
 * w ← w · decayFactor
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g·g
 * w ← w − (stepSize · m) / (sqrt(v) / biasCorrection2Root + ε)
 * ```
 *
 * PyTorch's vectorised CPU kernels fuse some multiply-adds, so values agree with it to a rounding of the
 * intermediate terms (relative 1e-7), not bit for bit. NaN and infinite gradients propagate into `m`, `v` and
 * `w` as they do in PyTorch. Weights and gradients stay in their tensors' Float32Arrays and pass through the
 * module's memory in cache-sized chunks.
 *
 * @example
 * const state = new AdamWMoments([w.length]);
 * state.update(0, w, g, { decayFactor: 1, beta1: 0.9, beta2: 0.999, biasCorrection2Root: Math.sqrt(1 - 0.999), epsilon: 1e-8, stepSize: 1e-3 / 0.1 });
 */
export class AdamWMoments {
  private readonly exports: SimdExports;
  private readonly heap: Float32Array;
  /** Element offsets of each parameter's m (v follows all of m). */
  private readonly offsets: number[];
  private readonly total: number;
  readonly sizes: readonly number[];
  // Element offsets of the two scratch regions for a chunk of weights and gradient.
  private static readonly W = 0;
  private static readonly G = CHUNK;

  constructor(sizes: readonly number[]) {
    this.sizes = [...sizes];
    this.offsets = [];
    let total = 0;
    for (const size of sizes) {
      this.offsets.push(2 * CHUNK + total);
      // Keep every parameter's moments 16-byte aligned for the SIMD loads.
      total += Math.ceil(size / 4) * 4;
    }
    this.total = total;
    const memory = wasmMemory((2 * CHUNK + 2 * total) * 4);
    this.exports = instantiateSimd(memory);
    this.heap = new Float32Array(memory.buffer);
  }

  /** The first moment of parameter `index` (a live view; copy it to keep it). */
  m(index: number): Float32Array {
    const offset = this.offsets[index];
    return this.heap.subarray(offset, offset + this.sizes[index]);
  }

  /** The second moment of parameter `index` (a live view; copy it to keep it). */
  v(index: number): Float32Array {
    const offset = this.offsets[index] + this.total;
    return this.heap.subarray(offset, offset + this.sizes[index]);
  }

  /** Applies one AdamW step to `weights` (in place) from `gradient`, updating the moments of parameter `index`. */
  update(index: number, weights: Float32Array, gradient: Float32Array, constants: AdamWStepConstants): void {
    const { heap, exports } = this;
    const { decayFactor, beta1, beta2, biasCorrection2Root, epsilon, stepSize } = constants;
    const { W, G } = AdamWMoments;
    const mOffset = this.offsets[index];
    const vOffset = mOffset + this.total;
    const size = this.sizes[index];
    for (let start = 0; start < size; start += CHUNK) {
      const n = Math.min(CHUNK, size - start);
      heap.set(weights.subarray(start, start + n), W);
      heap.set(gradient.subarray(start, start + n), G);
      exports.adamw(W * 4, G * 4, (mOffset + start) * 4, (vOffset + start) * 4, n, decayFactor, beta1, beta2, 1 - beta1, 1 - beta2, biasCorrection2Root, epsilon, stepSize);
      weights.set(heap.subarray(W, W + n), start);
    }
  }
}
