import {
  BatchMatMul,
  Transpose,
  _FusedMatMul,
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
  type DataId,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';

/*
 * Why: tfjs-backend-wasm 4.22 (src/cc/batch_mat_mul_impl.cc) sends a matrix product to XNNPACK's
 * fully-connected operator only when neither operand is transposed and both have batch size 1; every
 * other case runs a scalar triple loop, about 10x slower. Backpropagation through `matMul(x, w)` needs
 * `dy · wᵀ` and `xᵀ · dy`, so every training step hits the slow loop. Transposing the operand first
 * (the wasm Transpose kernel is a fast blocked copy) and then calling the original kernel without
 * transposes keeps the product on the XNNPACK path.
 */

const KERNELS = [BatchMatMul, _FusedMatMul] as const;

interface FixState {
  /** The kernels as tfjs-backend-wasm registered them, while the fix is installed. */
  originals: Map<string, KernelConfig> | undefined;
}
// On globalThis because tfjs-core's kernel registry is global too: a second copy of this module must see
// that the fix is already installed, or it would wrap the wrapper.
const STATE_KEY = Symbol.for('hypotest.models.wasmMatMulFix');
const globalState = globalThis as unknown as Record<symbol, FixState | undefined>;
const state: FixState = (globalState[STATE_KEY] ??= { originals: undefined });

interface DisposingBackend extends KernelBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/**
 * Re-registers the wasm backend's `BatchMatMul` and `_FusedMatMul` kernels so that a transposed operand
 * is transposed explicitly (the wasm Transpose kernel on a 3-D view `[batch, rows, cols]`, perm
 * `[0, 2, 1]`) before the original kernel runs without transposes; the intermediate buffers are freed
 * before the kernel returns. Products without transposes go straight to the original kernel.
 * Results equal the original kernels' up to float rounding order; gradients are unchanged because
 * tfjs-core defines them per kernel name, not per implementation.
 *
 * Idempotent: returns `true` when it installed the fix, `false` when it was already installed.
 * Works before or after the wasm backend is initialised (the original kernels' setup functions are kept).
 *
 * @throws {ModelError} when `@tensorflow/tfjs-backend-wasm` has not been imported (its kernels are not registered).
 * @example
 * await import('@tensorflow/tfjs-backend-wasm');
 * installWasmMatMulFix();
 * await tf.setBackend('wasm');
 */
export function installWasmMatMulFix(): boolean {
  if (state.originals !== undefined) return false;
  const transposeConfig = getKernel(Transpose, 'wasm');
  const originals = new Map<string, KernelConfig>();
  for (const name of KERNELS) {
    const config = getKernel(name, 'wasm');
    if (config === undefined || transposeConfig === undefined) {
      throw new ModelError(
        `installWasmMatMulFix: the wasm kernel ${name} is not registered. Import '@tensorflow/tfjs-backend-wasm' ` +
          `(or call initBackend()) before installing the fix.`,
      );
    }
    originals.set(name, config);
  }
  const transpose = transposeConfig!.kernelFunc;
  for (const [name, original] of originals) {
    unregisterKernel(name, 'wasm');
    registerKernel({ ...original, kernelFunc: withExplicitTransposes(original.kernelFunc, transpose) });
  }
  state.originals = originals;
  return true;
}

/**
 * Restores the kernels tfjs-backend-wasm registered (for measuring the fix, or comparing against it).
 * Returns `false` when the fix was not installed.
 * @example
 * uninstallWasmMatMulFix(); const slow = time(step); installWasmMatMulFix(); const fast = time(step);
 */
export function uninstallWasmMatMulFix(): boolean {
  if (state.originals === undefined) return false;
  for (const [name, original] of state.originals) {
    unregisterKernel(name, 'wasm');
    registerKernel(original);
  }
  state.originals = undefined;
  return true;
}

/** Whether {@link installWasmMatMulFix} is in effect. */
export function isWasmMatMulFixInstalled(): boolean {
  return state.originals !== undefined;
}

function withExplicitTransposes(original: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as DisposingBackend;
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    if (!transposeA && !transposeB) return original(args);
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const made: TensorInfo[] = [];
    try {
      const aReady = transposeA ? transposeLastTwo(a, backend, transpose, made) : a;
      const bReady = transposeB ? transposeLastTwo(b, backend, transpose, made) : b;
      const newAttrs: NamedAttrMap = { ...attrs, transposeA: false, transposeB: false };
      return original({ inputs: { ...inputs, a: aReady, b: bReady }, backend, attrs: newAttrs });
    } finally {
      for (const info of made) backend.disposeData(info.dataId);
    }
  };
}

/** `x` with its last two axes swapped, as a new buffer (pushed onto `made`); at most 3-D inside the kernel. */
function transposeLastTwo(x: TensorInfo, backend: KernelBackend, transpose: KernelFunc, made: TensorInfo[]): TensorInfo {
  const rank = x.shape.length;
  const outer = x.shape.slice(0, -2);
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const view: TensorInfo = { dataId: x.dataId, shape: [util.sizeFromShape(outer), rows, cols], dtype: x.dtype };
  const result = transpose({ inputs: { x: view }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
  made.push(result);
  return { dataId: result.dataId, shape: [...outer, cols, rows], dtype: result.dtype };
}
