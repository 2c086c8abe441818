import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  Add,
  BatchMatMul,
  Erf,
  Exp,
  GatherV2,
  Mean,
  Multiply,
  Neg,
  RealDiv,
  Relu,
  Softmax,
  Square,
  Step,
  Sub,
  Sum,
  Transpose,
  _FusedMatMul,
  findBackendFactory,
  getKernel,
  getKernelsForBackend,
  registerBackend,
  registerKernel,
  type DataId,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ModelError } from '../../errors.ts';
import type { Blas } from './blas.ts';
import { FAST_CPU_BACKEND } from './constants.ts';
import { binaryKernel, reluKernel, stepKernel, unaryMathKernel, type BinaryOp } from './elementwise.ts';
import { batchMatMulKernel, fusedMatMulKernel } from './matMul.ts';
import { meanKernel, sumKernel } from './reduce.ts';
import { gatherKernel } from './gather.ts';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, registerLayerNorm } from './layerNorm.ts';
import { softmaxKernel } from './softmax.ts';
import { transposeKernel } from './transpose.ts';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL, registerCrossEntropy } from './crossEntropy.ts';
import { RELU_GRAD_KERNEL, reluGradKernel } from './reluGradient.ts';

export { FAST_CPU_BACKEND };

/** The most memory {@link FastCpuBackend} keeps in recycled arrays (beyond it, disposed arrays are left to the garbage collector). */
export const POOL_LIMIT_BYTES = 128 * 2 ** 20;

/**
 * tfjs-backend-cpu's backend with a BLAS library attached, and two kinds of bookkeeping the cpu backend does not
 * need:
 *
 * - In-place updates (the fused AdamW) that keep tfjs's value semantics: `readSync` (`dataSync()`, `data()`,
 *   `arraySync()`) hands out copies, so no caller ever holds a backend array, and
 *   {@link FastCpuBackend.privateFloat32} gives a tensor an array of its own before it is changed.
 * - Recycling: the float32 arrays of disposed kernel outputs go back to a pool (up to {@link POOL_LIMIT_BYTES})
 *   and the fast kernels take their outputs from it, which spares the allocation, the zero-filling and most of
 *   the garbage collection of a training step. An array is recycled only when this backend allocated it and no
 *   other tensor can see it: cpu kernels that return a view of an input (Slice) or the input's own array
 *   (Complex) are watched, and such an array is never recycled.
 */
export class FastCpuBackend extends MathBackendCPU {
  readonly blas: Blas;
  /** The arrays made by privateFloat32: the only ones ever changed in place. */
  private readonly owned = new WeakSet<object>();
  /** Arrays allocated by allocateFloat32 that no other tensor's values alias: these may be recycled. */
  private readonly recyclable = new WeakSet<Float32Array>();
  private readonly pool = new Map<number, Float32Array[]>();
  private pooledBytes = 0;

  constructor(blas: Blas) {
    super();
    this.blas = blas;
    // MathBackendCPU's first write prints an advert for tfjs-node; this backend is the fast path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The tensor's values, as a copy (the cpu backend returns its own array, which in-place updates would change). */
  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    const values = super.readSync(dataId);
    return ArrayBuffer.isView(values) ? (values as Float32Array).slice() : values;
  }

  /** How many arrays and bytes the pool holds now. */
  poolSize(): { arrays: number; bytes: number } {
    let arrays = 0;
    for (const free of this.pool.values()) arrays += free.length;
    return { arrays, bytes: this.pooledBytes };
  }

  /** A float32 array of `size` values for a kernel output, recycled when one is free (its contents are then arbitrary). */
  allocateFloat32(size: number): Float32Array {
    const free = this.pool.get(size);
    const recycled = free?.pop();
    if (recycled !== undefined) {
      this.pooledBytes -= recycled.byteLength;
      return recycled;
    }
    const fresh = new Float32Array(size);
    if (size > 0) this.recyclable.add(fresh);
    return fresh;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (released && values instanceof Float32Array && this.recyclable.has(values) && !this.data.has(dataId) && this.pooledBytes + values.byteLength <= POOL_LIMIT_BYTES) {
      let free = this.pool.get(values.length);
      if (free === undefined) this.pool.set(values.length, (free = []));
      free.push(values);
      this.pooledBytes += values.byteLength;
    }
    return released;
  }

  /**
   * Called after a cpu kernel ran on this backend: an output whose values share memory with a recyclable input
   * (a view, or the same array) makes that input's array unrecyclable, since recycling it would change the output.
   */
  watchAliases(inputs: Record<string, unknown>, result: TensorInfo | TensorInfo[]): void {
    let buffers: ArrayBufferLike[] | undefined;
    const inputIds = new Set<DataId>();
    for (const input of Object.values(inputs)) {
      const info = input as TensorInfo | null | undefined;
      if (info == null || !this.data.has(info.dataId)) continue;
      inputIds.add(info.dataId);
      const values = this.data.get(info.dataId).values;
      if (values instanceof Float32Array && this.recyclable.has(values)) (buffers ??= []).push(values.buffer);
    }
    if (buffers === undefined) return;
    for (const output of Array.isArray(result) ? result : [result]) {
      // The same dataId (Reshape, Identity, a Cast that changes nothing) is reference counted: not an alias.
      if (output == null || inputIds.has(output.dataId)) continue;
      for (const values of this.valuesOf(output)) {
        if (!buffers.includes(values.buffer)) continue;
        for (const input of Object.values(inputs)) {
          const info = input as TensorInfo | null | undefined;
          const inputValues = info != null && this.data.has(info.dataId) ? this.data.get(info.dataId).values : undefined;
          if (inputValues instanceof Float32Array && inputValues.buffer === values.buffer) this.recyclable.delete(inputValues);
        }
      }
    }
  }

  /** The typed arrays behind a tensor (both parts of a complex one). */
  private valuesOf(info: TensorInfo): ArrayBufferView[] {
    if (info == null || !this.data.has(info.dataId)) return [];
    const entry = this.data.get(info.dataId) as { values?: unknown; complexTensorInfos?: { real: TensorInfo; imag: TensorInfo } };
    const out: ArrayBufferView[] = [];
    if (ArrayBuffer.isView(entry.values)) out.push(entry.values);
    if (entry.complexTensorInfos != null) out.push(...this.valuesOf(entry.complexTensorInfos.real), ...this.valuesOf(entry.complexTensorInfos.imag));
    return out;
  }

  /**
   * The float32 values behind `dataId`, safe to change in place: unless this method made them, they are first
   * replaced by a private copy. Returns `undefined` when other tensors share `dataId` (its reference count is
   * above 1) or the values are not a Float32Array; the caller then has to make a new tensor.
   */
  privateFloat32(dataId: DataId): Float32Array | undefined {
    if (!this.data.has(dataId)) return undefined;
    const entry = this.data.get(dataId);
    if (entry.refCount !== 1 || !(entry.values instanceof Float32Array)) return undefined;
    if (!this.owned.has(entry.values)) {
      const copy = entry.values.slice();
      this.owned.add(copy);
      entry.values = copy;
    }
    return entry.values as Float32Array;
  }

  /** The float32 values behind `dataId` for reading (not marked as read out), or `undefined` when not float32 here. */
  float32(dataId: DataId): Float32Array | undefined {
    if (!this.data.has(dataId)) return undefined;
    const values = this.data.get(dataId).values;
    return values instanceof Float32Array ? values : undefined;
  }

  /** Whether this backend holds `dataId` (tensors move between backends when the active one changes). */
  holds(dataId: DataId): boolean {
    return this.data.has(dataId);
  }
}

/** The kernels that replace tfjs-backend-cpu's on the fast-cpu backend; every other kernel is the cpu backend's. */
export const FAST_CPU_KERNELS: readonly string[] = [BatchMatMul, _FusedMatMul, Add, Sub, Multiply, RealDiv, Relu, Step, Sum, Mean, Neg, Square, Exp, Erf, Transpose, Softmax, GatherV2];

/** Kernels fast-cpu adds: the one-pass ReLU gradient, the fused softmax cross-entropy and the fused LayerNorm, with their gradients. */
export const FAST_CPU_EXTRA_KERNELS: readonly string[] = [RELU_GRAD_KERNEL, CROSS_ENTROPY_KERNEL, CROSS_ENTROPY_GRAD_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL];

const BINARY: Record<string, BinaryOp> = { [Add]: 'add', [Sub]: 'sub', [Multiply]: 'mul', [RealDiv]: 'div' };

function fastKernel(name: string, cpu: KernelFunc): KernelFunc {
  if (name === BatchMatMul) return batchMatMulKernel(cpu);
  if (name === _FusedMatMul) return fusedMatMulKernel(cpu);
  if (name === Relu) return reluKernel(cpu);
  if (name === Step) return stepKernel(cpu);
  if (name === Sum) return sumKernel(cpu);
  if (name === Mean) return meanKernel(cpu);
  if (name === Transpose) return transposeKernel(cpu);
  if (name === Softmax) return softmaxKernel(cpu);
  if (name === GatherV2) return gatherKernel(cpu);
  if (name === Neg) return unaryMathKernel('neg', cpu);
  if (name === Square) return unaryMathKernel('square', cpu);
  if (name === Exp) return unaryMathKernel('exp', cpu);
  if (name === Erf) return unaryMathKernel('erf', cpu);
  const op = BINARY[name];
  if (op !== undefined) return binaryKernel(op, cpu);
  throw new ModelError(`fast-cpu: no fast kernel for ${name}.`);
}

/** A cpu kernel as it runs on fast-cpu: unchanged, but its outputs are checked for aliases of recyclable inputs. */
function watched(config: KernelConfig): KernelFunc {
  const cpu = config.kernelFunc;
  return (args) => {
    const result = cpu(args);
    if (args.backend instanceof FastCpuBackend) args.backend.watchAliases(args.inputs as Record<string, unknown>, result);
    return result;
  };
}

/**
 * Registers the `fast-cpu` backend with tfjs-core: every kernel of tfjs-backend-cpu, with
 * {@link FAST_CPU_KERNELS} replaced by BLAS matrix products and single-pass float32 loops. The plain `cpu`
 * backend is left as it is (the reference the tests compare against). Idempotent; returns `false` when it
 * was already registered. Activate it with `tf.setBackend('fast-cpu')` (or `initBackend`).
 *
 * @throws {ModelError} when tfjs-backend-cpu's kernels are not registered.
 * @example
 * const search = findBlas();
 * if (search.found) { registerFastCpuBackend(search.blas); await tf.setBackend('fast-cpu'); }
 */
export function registerFastCpuBackend(blas: Blas): boolean {
  if (findBackendFactory(FAST_CPU_BACKEND) != null) return false;
  const cpuKernels = getKernelsForBackend('cpu');
  if (cpuKernels.length === 0 || getKernel(BatchMatMul, 'cpu') === undefined) {
    throw new ModelError(`registerFastCpuBackend: tfjs-backend-cpu's kernels are not registered. Import '@tensorflow/tfjs-backend-cpu' first.`);
  }
  for (const config of cpuKernels) {
    const kernelFunc = FAST_CPU_KERNELS.includes(config.kernelName) ? fastKernel(config.kernelName, config.kernelFunc) : watched(config);
    if (getKernel(config.kernelName, FAST_CPU_BACKEND) === undefined) registerKernel({ ...config, backendName: FAST_CPU_BACKEND, kernelFunc });
  }
  if (getKernel(RELU_GRAD_KERNEL, FAST_CPU_BACKEND) === undefined) registerKernel({ kernelName: RELU_GRAD_KERNEL, backendName: FAST_CPU_BACKEND, kernelFunc: reluGradKernel });
  registerCrossEntropy();
  registerLayerNorm();
  registerBackend(FAST_CPU_BACKEND, () => new FastCpuBackend(blas), 1);
  return true;
}
