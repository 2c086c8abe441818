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

/** A new zero-filled float32 buffer of `size` values for a kernel's output. */
export function allocate(_backend: CpuLikeBackend, size: number): Float32Array {
  return new Float32Array(size);
}
