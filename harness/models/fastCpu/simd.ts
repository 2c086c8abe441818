import { ModelError } from '../../errors.ts';
import { SIMD_MODULE_BASE64 } from './simdModule.ts';

/*
 * Why: V8 does not vectorise loops over Float32Arrays, and a loop whose branch depends on the data (ReLU,
 * its gradient, a step) mispredicts on half the elements: 2 to 8 ns per element. The same loops in
 * WebAssembly SIMD run four lanes per instruction without branches; even with the copies in and out of the
 * module's memory (memcpy, in cache-sized chunks) they are about 10x faster. The module is assembled from
 * `simd.wat` at development time (`npm run build:simd`) and shipped as bytes.
 */

// The project compiles against ES2022 without the DOM library, which is where TypeScript declares WebAssembly.
/** A WebAssembly memory (the part used here). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
/** A compiled WebAssembly module. */
export type WasmModule = object;
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const WebAssemblyGlobal = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** A new WebAssembly memory of `bytes` bytes (rounded up to whole 64 KiB pages). */
export function wasmMemory(bytes: number): WasmMemory {
  return new WebAssemblyGlobal.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
}

/** The functions exported by `simd.wat`; offsets are in bytes, counts in elements. */
export interface SimdExports {
  relu(x: number, out: number, n: number): void;
  step(x: number, out: number, n: number, alpha: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  addVV(a: number, b: number, out: number, n: number): void;
  subVV(a: number, b: number, out: number, n: number): void;
  mulVV(a: number, b: number, out: number, n: number): void;
  divVV(a: number, b: number, out: number, n: number): void;
  addVS(a: number, s: number, out: number, n: number): void;
  subVS(a: number, s: number, out: number, n: number): void;
  mulVS(a: number, s: number, out: number, n: number): void;
  divVS(a: number, s: number, out: number, n: number): void;
  subSV(s: number, b: number, out: number, n: number): void;
  divSV(s: number, b: number, out: number, n: number): void;
  adamw(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    decay: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    biasCorrection2Root: number,
    epsilon: number,
    stepSize: number,
  ): void;
  sumRowsF64(x: number, acc: number, rows: number, cols: number): void;
  exp(x: number, out: number, n: number): void;
  erf(x: number, out: number, n: number): void;
  demoteF64(acc: number, out: number, n: number): void;
}

const STATE_KEY = Symbol.for('hypotest.models.fastCpu.simd');
const globalState = globalThis as unknown as Record<symbol, { module?: WasmModule; loops?: SimdLoops } | undefined>;
const state = (globalState[STATE_KEY] ??= {});

/**
 * The compiled module (compiled once per process).
 * @throws {ModelError} when this JavaScript engine has no WebAssembly SIMD (Node 16.4 and later have it).
 */
export function simdModule(): WasmModule {
  if (state.module === undefined) {
    try {
      state.module = new WebAssemblyGlobal.Module(Buffer.from(SIMD_MODULE_BASE64, 'base64'));
    } catch (error) {
      throw new ModelError(`fast-cpu: this runtime cannot compile WebAssembly SIMD (${error instanceof Error ? error.message : String(error)}). Use Node 20 or later, or another backend.`);
    }
  }
  return state.module;
}

/** An instance of the module over `memory`. */
export function instantiateSimd(memory: WasmMemory): SimdExports {
  return new WebAssemblyGlobal.Instance(simdModule(), { env: { memory } }).exports as SimdExports;
}

/** Elements per chunk: each of the three scratch regions holds this many float32 values (64 KiB, cache-resident). */
export const CHUNK = 16_384;

/** The binary ops of {@link SimdLoops.binary}. */
export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * How an operand of a binary op is laid out over the output viewed as `[outer, inner]`: `full` (`outer·inner`
 * values), `row` (`inner` values repeated over `outer`), `column` (`outer` values repeated over `inner`) or
 * `scalar` (one value).
 */
export type OperandLayout = 'full' | 'row' | 'column' | 'scalar';

/**
 * Float32 loops over JavaScript Float32Arrays, run in WebAssembly SIMD on a private scratch memory: inputs are
 * copied in chunk by chunk, the results copied out. One instance per process ({@link simdLoops}).
 */
export class SimdLoops {
  private readonly exports: SimdExports;
  private readonly heap: Float32Array;
  /** Per op: vector op vector, vector op constant, constant op vector (the last two as (pointer, constant) calls). */
  private readonly ops: Record<SimdBinaryOp, OpFunctions>;
  // Byte offsets of the regions: two inputs, the output, and a float64 accumulator of CHUNK / 2 values.
  private static readonly A = 0;
  private static readonly B = CHUNK * 4;
  private static readonly OUT = CHUNK * 8;
  private static readonly ACC = CHUNK * 12;

  constructor() {
    const memory = wasmMemory(CHUNK * 16);
    const e = instantiateSimd(memory);
    this.exports = e;
    this.heap = new Float32Array(memory.buffer);
    // Addition and multiplication commute exactly in IEEE arithmetic, so `s op b` is `b op s`.
    this.ops = {
      add: { vv: e.addVV, vs: e.addVS, sv: (s, b, out, n) => e.addVS(b, s, out, n) },
      sub: { vv: e.subVV, vs: e.subVS, sv: e.subSV },
      mul: { vv: e.mulVV, vs: e.mulVS, sv: (s, b, out, n) => e.mulVS(b, s, out, n) },
      div: { vv: e.divVV, vs: e.divVS, sv: e.divSV },
    };
  }

  /** `out[i] = max(x[i], 0)` (NaN stays NaN, −0 becomes +0). `out` may be `x`. */
  relu(x: Float32Array, out: Float32Array): void {
    this.unary(x, out, (inOffset, outOffset, n) => this.exports.relu(inOffset, outOffset, n));
  }

  /** `out[i] = x[i] > 0 ? 1 : alpha`, NaN where `x[i]` is NaN. */
  step(x: Float32Array, out: Float32Array, alpha: number): void {
    this.unary(x, out, (inOffset, outOffset, n) => this.exports.step(inOffset, outOffset, n, alpha));
  }

  /** `out[i] = exp(x[i])` within 2 ulp of the correctly rounded value (see `simd.wat`). `out` may be `x`. */
  exp(x: Float32Array, out: Float32Array): void {
    this.unary(x, out, (inOffset, outOffset, n) => this.exports.exp(inOffset, outOffset, n));
  }

  /** `out[i] = erf(x[i])` by tfjs's Abramowitz-Stegun formula in float32 (within 5e-7 absolute of the cpu kernel's double evaluation). */
  erf(x: Float32Array, out: Float32Array): void {
    this.unary(x, out, (inOffset, outOffset, n) => this.exports.erf(inOffset, outOffset, n));
  }

  /** `out[i] = dy[i] · step(x[i])`: the ReLU gradient in one pass, equal to `mul(dy, step(x))`. */
  reluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void {
    const { heap, exports } = this;
    for (let start = 0; start < out.length; start += CHUNK) {
      const n = Math.min(CHUNK, out.length - start);
      heap.set(dy.subarray(start, start + n), SimdLoops.A / 4);
      heap.set(x.subarray(start, start + n), SimdLoops.B / 4);
      exports.reluGrad(SimdLoops.A, SimdLoops.B, SimdLoops.OUT, n);
      out.set(heap.subarray(SimdLoops.OUT / 4, SimdLoops.OUT / 4 + n), start);
    }
  }

  /**
   * `out = a op b` over an output of `outer × inner` values (row-major), each operand in its {@link OperandLayout}.
   * Results equal JavaScript's double arithmetic rounded to float32.
   */
  binary(op: SimdBinaryOp, out: Float32Array, a: Float32Array, aLayout: OperandLayout, b: Float32Array, bLayout: OperandLayout, outer: number, inner: number): void {
    const flat = (aLayout === 'full' || aLayout === 'scalar') && (bLayout === 'full' || bLayout === 'scalar');
    if (flat) {
      this.binaryRun(op, out, 0, a, aLayout === 'full' ? 'vector' : a[0], b, bLayout === 'full' ? 'vector' : b[0], outer * inner);
      return;
    }
    if (inner > CHUNK) {
      // Rows longer than a chunk: one row at a time, each in chunks.
      for (let o = 0; o < outer; o++) {
        const base = o * inner;
        const aRow = aLayout === 'full' ? a.subarray(base, base + inner) : a;
        const bRow = bLayout === 'full' ? b.subarray(base, base + inner) : b;
        const aValue = aLayout === 'full' || aLayout === 'row' ? 'vector' : aLayout === 'column' ? a[o] : a[0];
        const bValue = bLayout === 'full' || bLayout === 'row' ? 'vector' : bLayout === 'column' ? b[o] : b[0];
        this.binaryRun(op, out, base, aRow, aValue, bRow, bValue, inner);
      }
      return;
    }
    // Whole rows per chunk: a row operand is copied once, full operands chunk by chunk, and a column operand is a
    // constant per row; one call per row.
    const { heap } = this;
    const { vv, vs, sv } = this.ops[op];
    const { A, B, OUT } = SimdLoops;
    const rowsPerChunk = Math.floor(CHUNK / inner);
    if (aLayout === 'row') heap.set(a, A / 4);
    if (bLayout === 'row') heap.set(b, B / 4);
    for (let first = 0; first < outer; first += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, outer - first);
      const start = first * inner;
      const count = rows * inner;
      if (aLayout === 'full') heap.set(a.subarray(start, start + count), A / 4);
      if (bLayout === 'full') heap.set(b.subarray(start, start + count), B / 4);
      for (let r = 0; r < rows; r++) {
        const offset = r * inner * 4;
        const aPointer = aLayout === 'full' ? A + offset : A;
        const bPointer = bLayout === 'full' ? B + offset : B;
        const aVector = aLayout === 'full' || aLayout === 'row';
        const bVector = bLayout === 'full' || bLayout === 'row';
        const aConstant = aLayout === 'column' ? a[first + r] : a[0];
        const bConstant = bLayout === 'column' ? b[first + r] : b[0];
        if (aVector && bVector) vv(aPointer, bPointer, OUT + offset, inner);
        else if (aVector) vs(aPointer, bConstant, OUT + offset, inner);
        else if (bVector) sv(aConstant, bPointer, OUT + offset, inner);
        else heap.fill(constantOp(op, aConstant, bConstant), (OUT + offset) / 4, (OUT + offset) / 4 + inner);
      }
      out.set(heap.subarray(OUT / 4, OUT / 4 + count), start);
    }
  }

  /**
   * `out[o·inner + i] = Σ_r x[(o·reduce + r)·inner + i]`, each sum accumulated in double precision in the order
   * of `r` (as tfjs-backend-cpu's Sum does) and rounded once. Needs `inner ≤ CHUNK / 2`.
   */
  sumMiddle(x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void {
    if (inner > CHUNK / 2) throw new ModelError(`SimdLoops.sumMiddle: inner size ${inner} is above ${CHUNK / 2}.`);
    const { heap, exports } = this;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK / inner));
    for (let o = 0; o < outer; o++) {
      const block = o * reduce * inner;
      for (let r = 0; r < reduce; r += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, reduce - r);
        const start = block + r * inner;
        heap.set(x.subarray(start, start + rows * inner), SimdLoops.A / 4);
        exports.sumRowsF64(SimdLoops.A, SimdLoops.ACC, rows, inner);
      }
      // demoteF64 also clears the accumulator for the next block.
      exports.demoteF64(SimdLoops.ACC, SimdLoops.OUT, inner);
      out.set(heap.subarray(SimdLoops.OUT / 4, SimdLoops.OUT / 4 + inner), o * inner);
    }
  }

  private unary(x: Float32Array, out: Float32Array, run: (inOffset: number, outOffset: number, n: number) => void): void {
    const { heap } = this;
    for (let start = 0; start < out.length; start += CHUNK) {
      const n = Math.min(CHUNK, out.length - start);
      heap.set(x.subarray(start, start + n), SimdLoops.A / 4);
      run(SimdLoops.A, SimdLoops.OUT, n);
      out.set(heap.subarray(SimdLoops.OUT / 4, SimdLoops.OUT / 4 + n), start);
    }
  }

  /** `out[outStart + i] = a' op b'` for `i < n`, where a vector operand is read from its array at `i` and a constant is used as is. */
  private binaryRun(op: SimdBinaryOp, out: Float32Array, outStart: number, a: Float32Array, aValue: 'vector' | number, b: Float32Array, bValue: 'vector' | number, n: number): void {
    const { heap } = this;
    const { vv, vs, sv } = this.ops[op];
    const { A, B, OUT } = SimdLoops;
    if (aValue !== 'vector' && bValue !== 'vector') {
      out.fill(constantOp(op, aValue, bValue), outStart, outStart + n);
      return;
    }
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      if (aValue === 'vector') heap.set(a.subarray(start, start + count), A / 4);
      if (bValue === 'vector') heap.set(b.subarray(start, start + count), B / 4);
      if (aValue === 'vector' && bValue === 'vector') vv(A, B, OUT, count);
      else if (aValue === 'vector') vs(A, bValue as number, OUT, count);
      else sv(aValue, B, OUT, count);
      out.set(heap.subarray(OUT / 4, OUT / 4 + count), outStart + start);
    }
  }
}

interface OpFunctions {
  vv(a: number, b: number, out: number, n: number): void;
  vs(a: number, s: number, out: number, n: number): void;
  sv(s: number, b: number, out: number, n: number): void;
}

function constantOp(op: SimdBinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
  }
}

/** The process-wide {@link SimdLoops}. */
export function simdLoops(): SimdLoops {
  return (state.loops ??= new SimdLoops());
}
