import {
  Add,
  BatchMatMul,
  broadcast_util,
  Elu,
  LeakyRelu,
  Prelu,
  Relu,
  Relu6,
  Sigmoid,
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
 * transposes keeps the product on the XNNPACK path. For the same reason a batch of inputs times a single
 * matrix (`[batch, m, k] · [k, n]`, a dense layer applied to a sequence) is computed as one 2-D product
 * `[batch·m, k] · [k, n]` (a free reshape of a row-major buffer).
 *
 * The scalar loop is also wrong for fused products (`tf.fused.matMul` with a bias or an activation): it
 * indexes the bias by `row * cols + col` clamped to the bias length (so every row after the first gets the
 * last bias value), and it adds the bias and applies the ReLU clamp once per 48-wide block of the shared
 * dimension instead of once at the end. Measured against the cpu backend, a batched fused product with a
 * bias is off by about 0.25 (linear) to 2.8 (ReLU, shared dimension 65). Fused products reach the loop
 * only through a transpose or a batch; the transposes are removed above and a batch of `a` is folded, so
 * what remains (a batch of `b` matrices) is computed here as the (fixed) BatchMatMul, then Add for the
 * bias, then the activation's own kernel.
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
 * before the kernel returns. A batch of `a` times a single matrix `b` is folded into one 2-D product.
 * Other products without transposes go straight to the original kernel. A `_FusedMatMul` in which `b` has
 * a batch above 1, which the original computes wrongly, runs as BatchMatMul, Add and the activation's
 * kernel. Results equal the cpu backend's up to float rounding order; gradients are unchanged because
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
  const batchMatMul = withFastPath(originals.get(BatchMatMul)!.kernelFunc, transpose);
  const fusedMatMul = fusedWithFixes(withFastPath(originals.get(_FusedMatMul)!.kernelFunc, transpose), batchMatMul);
  for (const [name, kernelFunc] of [[BatchMatMul, batchMatMul], [_FusedMatMul, fusedMatMul]] as const) {
    unregisterKernel(name, 'wasm');
    registerKernel({ ...originals.get(name)!, kernelFunc });
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

function withFastPath(original: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as DisposingBackend;
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const batchA = util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = util.sizeFromShape(b.shape.slice(0, -2));
    // A batch of inputs times one matrix (a dense layer on [batch, tokens, features]) is one 2-D product.
    const fold = batchA > 1 && batchB === 1;
    if (!transposeA && !transposeB && !fold) return original(args);
    const made: TensorInfo[] = [];
    try {
      let aReady = transposeA ? transposeLastTwo(a, backend, transpose, made) : a;
      let bReady = transposeB ? transposeLastTwo(b, backend, transpose, made) : b;
      const newAttrs: NamedAttrMap = { ...attrs, transposeA: false, transposeB: false };
      if (!fold) return original({ inputs: { ...inputs, a: aReady, b: bReady }, backend, attrs: newAttrs });
      const [rows, inner] = aReady.shape.slice(-2);
      const columns = bReady.shape[bReady.shape.length - 1];
      const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      aReady = { dataId: aReady.dataId, shape: [1, batchA * rows, inner], dtype: aReady.dtype };
      bReady = { dataId: bReady.dataId, shape: [1, inner, columns], dtype: bReady.dtype };
      const out = original({ inputs: { ...inputs, a: aReady, b: bReady }, backend, attrs: newAttrs }) as TensorInfo;
      return { dataId: out.dataId, shape: [...batchShape, rows, columns], dtype: out.dtype };
    } finally {
      for (const info of made) backend.disposeData(info.dataId);
    }
  };
}

/** The wasm kernel computing each fused activation, and how to call it on `x`. */
const ACTIVATIONS: Record<string, (x: TensorInfo, inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap) => { name: string; inputs: Record<string, TensorInfo>; attrs: NamedAttrMap }> = {
  relu: (x) => ({ name: Relu, inputs: { x }, attrs: {} }),
  relu6: (x) => ({ name: Relu6, inputs: { x }, attrs: {} }),
  elu: (x) => ({ name: Elu, inputs: { x }, attrs: {} }),
  sigmoid: (x) => ({ name: Sigmoid, inputs: { x }, attrs: {} }),
  leakyrelu: (x, _inputs, attrs) => ({ name: LeakyRelu, inputs: { x }, attrs: { alpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 } }),
  prelu: (x, inputs) => ({ name: Prelu, inputs: { x, alpha: inputs.preluActivationWeights! }, attrs: {} }),
};

function fusedWithFixes(unbatched: KernelFunc, batchMatMul: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs = {} } = args;
    const backend = args.backend as DisposingBackend;
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    // tfjs-core reshapes both operands of a fused product to 3-D before calling the kernel; withFastPath folds
    // a batch of `a` into rows when `b` is a single matrix, which keeps the product on the XNNPACK path.
    if (b.shape[0] === 1) return unbatched(args);
    const activation = String(attrs.activation ?? 'linear');
    const call = ACTIVATIONS[activation];
    if (activation !== 'linear' && call === undefined) {
      throw new ModelError(`_FusedMatMul (wasm, hypotest fix): unknown activation '${activation}'. Use tf.matMul and apply the activation separately.`);
    }
    const made: TensorInfo[] = [];
    try {
      let result = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA: attrs.transposeA ?? false, transposeB: attrs.transposeB ?? false } }) as TensorInfo;
      const bias = inputs.bias as TensorInfo | undefined;
      if (bias !== undefined && bias !== null) {
        made.push(result);
        result = runWasmKernel(Add, { a: result, b: bias }, {}, backend);
      }
      if (call !== undefined) {
        made.push(result);
        const { name, inputs: activationInputs, attrs: activationAttrs } = call(result, inputs as Record<string, TensorInfo | undefined>, attrs);
        result = runWasmKernel(name, activationInputs, activationAttrs, backend);
      }
      return result;
    } finally {
      for (const info of made) backend.disposeData(info.dataId);
    }
  };
}

function runWasmKernel(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, backend: KernelBackend): TensorInfo {
  const config = getKernel(name, 'wasm');
  if (config === undefined) throw new ModelError(`_FusedMatMul (wasm, hypotest fix): the wasm kernel ${name} is not registered.`);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
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
