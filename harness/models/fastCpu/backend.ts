import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  Add,
  BatchMatMul,
  Multiply,
  RealDiv,
  Relu,
  Step,
  Sub,
  Sum,
  _FusedMatMul,
  findBackendFactory,
  getKernel,
  getKernelsForBackend,
  registerBackend,
  registerKernel,
  type DataId,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { ModelError } from '../../errors.ts';
import type { Blas } from './blas.ts';
import { binaryKernel, reluKernel, stepKernel, type BinaryOp } from './elementwise.ts';
import { batchMatMulKernel, fusedMatMulKernel } from './matMul.ts';
import { sumKernel } from './reduce.ts';

/** The name the fast CPU backend is registered under with tfjs-core. */
export const FAST_CPU_BACKEND = 'fast-cpu';

/**
 * tfjs-backend-cpu's backend with a BLAS library attached, and bookkeeping that lets an optimiser update a
 * variable's values in place without breaking tfjs's value semantics: it remembers which value arrays its
 * kernels or {@link FastCpuBackend.privateFloat32} made (and so belong to no caller) and which were handed
 * out by `readSync` (`dataSync()`, `data()`, `arraySync()`; those must never change afterwards).
 */
export class FastCpuBackend extends MathBackendCPU {
  readonly blas: Blas;
  private readonly owned = new WeakSet<object>();
  private readonly escaped = new WeakSet<object>();

  constructor(blas: Blas) {
    super();
    this.blas = blas;
    // MathBackendCPU's first write prints an advert for tfjs-node; this backend is the fast path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    const values = super.readSync(dataId);
    if (typeof values === 'object' && values !== null) this.escaped.add(values);
    return values;
  }

  /**
   * The float32 values behind `dataId`, safe to change in place: when they may be seen by someone else (the
   * array came from the caller of `tf.tensor`, or was read out with `dataSync`), they are first replaced by
   * a private copy. Returns `undefined` when other tensors share `dataId` (its reference count is above 1)
   * or the values are not a Float32Array; the caller then has to make a new tensor.
   */
  privateFloat32(dataId: DataId): Float32Array | undefined {
    if (!this.data.has(dataId)) return undefined;
    const entry = this.data.get(dataId);
    if (entry.refCount !== 1 || !(entry.values instanceof Float32Array)) return undefined;
    if (!this.owned.has(entry.values) || this.escaped.has(entry.values)) {
      const copy = entry.values.slice();
      this.owned.add(copy);
      entry.values = copy;
    }
    return entry.values as Float32Array;
  }

  /** Whether this backend holds `dataId` (tensors move between backends when the active one changes). */
  holds(dataId: DataId): boolean {
    return this.data.has(dataId);
  }
}

/** The kernels that replace tfjs-backend-cpu's on the fast-cpu backend; every other kernel is the cpu backend's. */
export const FAST_CPU_KERNELS: readonly string[] = [BatchMatMul, _FusedMatMul, Add, Sub, Multiply, RealDiv, Relu, Step, Sum];

const BINARY: Record<string, BinaryOp> = { [Add]: 'add', [Sub]: 'sub', [Multiply]: 'mul', [RealDiv]: 'div' };

function fastKernel(name: string, cpu: KernelFunc): KernelFunc {
  if (name === BatchMatMul) return batchMatMulKernel(cpu);
  if (name === _FusedMatMul) return fusedMatMulKernel(cpu);
  if (name === Relu) return reluKernel(cpu);
  if (name === Step) return stepKernel(cpu);
  if (name === Sum) return sumKernel(cpu);
  const op = BINARY[name];
  if (op !== undefined) return binaryKernel(op, cpu);
  throw new ModelError(`fast-cpu: no fast kernel for ${name}.`);
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
    const kernelFunc = FAST_CPU_KERNELS.includes(config.kernelName) ? fastKernel(config.kernelName, config.kernelFunc) : config.kernelFunc;
    if (getKernel(config.kernelName, FAST_CPU_BACKEND) === undefined) registerKernel({ ...config, backendName: FAST_CPU_BACKEND, kernelFunc });
  }
  registerBackend(FAST_CPU_BACKEND, () => new FastCpuBackend(blas), 1);
  return true;
}
