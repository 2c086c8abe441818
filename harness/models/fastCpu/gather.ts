import { util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32Values, type CpuLikeBackend } from './storage.ts';

/*
 * Why: tfjs-backend-cpu's GatherV2 goes through TensorBuffer `get`/`set` with index arithmetic for every value
 * (about 1 µs per value measured): cutting a batch of 128 Fashion-MNIST images into patches cost more than the
 * patch embedding's matrix product. Here rows of `inner` values are copied with `set`.
 */

/**
 * `GatherV2` for float32 `x` with `batchDims` 0: `x` viewed as `[outer, axisSize, inner]` and the output as
 * `[outer, indices, inner]`, each output row copied from the indexed input row. Indices are checked as the cpu
 * kernel checks them. Other dtypes and `batchDims > 0` run `fallback` (the cpu backend's kernel).
 * @throws {Error} for an index outside `[0, axisSize)` (the cpu kernel's message).
 */
export function gatherKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const indices = args.inputs.indices as TensorInfo;
    const backend = args.backend as CpuLikeBackend;
    const attrs = (args.attrs ?? {}) as NamedAttrMap;
    const values = x.dtype === 'float32' ? float32Values(backend, x) : undefined;
    const indexValues = backend.data.get(indices.dataId).values;
    if (values === undefined || Number(attrs.batchDims ?? 0) !== 0 || !(indexValues instanceof Int32Array || indexValues instanceof Float32Array)) return fallback(args);
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const axisSize = x.shape[axis];
    const outer = util.sizeFromShape(x.shape.slice(0, axis));
    const inner = util.sizeFromShape(x.shape.slice(axis + 1));
    const count = indexValues.length;
    for (let i = 0; i < count; i++) {
      const index = indexValues[i];
      util.assert(index <= axisSize - 1 && index >= 0, () => `GatherV2: the index value ${index} is not in [0, ${axisSize - 1}]`);
    }
    const out = allocate(backend, outer * count * inner);
    let o = 0;
    for (let p = 0; p < outer; p++) {
      const base = p * axisSize * inner;
      if (inner === 1) {
        for (let i = 0; i < count; i++) out[o++] = values[base + indexValues[i]];
      } else {
        for (let i = 0; i < count; i++, o += inner) {
          const start = base + indexValues[i] * inner;
          out.set(values.subarray(start, start + inner), o);
        }
      }
    }
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}
