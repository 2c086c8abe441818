import type { DataId, DataType, KernelBackend, TensorInfo, backend_util } from '@tensorflow/tfjs-core';

/** What the fast kernels use of tfjs-backend-cpu's `MathBackendCPU` (and so of the fast-cpu backend derived from it). */
export interface CpuLikeBackend extends KernelBackend {
  readonly data: {
    get(dataId: DataId): { values?: backend_util.BackendValues; dtype: DataType; refCount: number };
    has(dataId: DataId): boolean;
  };
  makeTensorInfo(shape: number[], dtype: DataType, values?: backend_util.BackendValues | string[]): TensorInfo;
  disposeIntermediateTensorInfo(tensorInfo: TensorInfo): void;
}

/** The tensor's values when they are a Float32Array (the only layout the fast paths handle), else `undefined`. */
export function float32Values(backend: CpuLikeBackend, info: TensorInfo): Float32Array | undefined {
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** A backend that recycles the float32 arrays of disposed kernel outputs (the fast-cpu backend). */
interface PoolingBackend extends CpuLikeBackend {
  allocateFloat32(size: number): Float32Array;
}

/**
 * A float32 array of `size` values for a kernel's output: recycled from disposed outputs on the fast-cpu backend
 * (so its contents are arbitrary: the kernel must write every element, or ask for `zeroed`), new elsewhere.
 */
export function allocate(backend: CpuLikeBackend, size: number, options: { zeroed?: boolean } = {}): Float32Array {
  const pooling = backend as Partial<PoolingBackend>;
  if (typeof pooling.allocateFloat32 !== 'function') return new Float32Array(size);
  const out = pooling.allocateFloat32(size);
  if (options.zeroed) out.fill(0);
  return out;
}
