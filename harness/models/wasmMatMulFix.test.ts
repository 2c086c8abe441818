import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { initBackend, type BackendName } from './backend.ts';
import { expectAllClose, seededValues } from '../../bench/fixtures/testUtils.ts';
import { createMlp } from './mlp.ts';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasmMatMulFix.ts';
import { meanCrossEntropy } from './train.ts';
import { createAdamW } from './adamw.ts';

interface Product {
  output: Float32Array;
  gradients: Float32Array[];
}

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu';

interface Case {
  /** Batch dimensions of a and of b (broadcast against each other). */
  batch: number[];
  batchB?: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** Run `tf.fused.matMul` with a bias and this activation, instead of `tf.matMul`. */
  fused?: Activation;
}

// Sizes that are not multiples of XNNPACK's or the scalar loop's block sizes.
const M = 33;
const K = 65;
const N = 17;

function shapes({ batch, batchB = batch, transposeA, transposeB }: Case): { a: number[]; b: number[]; out: number[] } {
  const rank = Math.max(batch.length, batchB.length);
  const padded = (dims: number[]) => [...Array(rank - dims.length).fill(1), ...dims];
  const outBatch = padded(batch).map((d, i) => Math.max(d, padded(batchB)[i]));
  return {
    a: [...batch, ...(transposeA ? [K, M] : [M, K])],
    b: [...batchB, ...(transposeB ? [N, K] : [K, N])],
    out: [...outBatch, M, N],
  };
}

/** Output of the product and gradients of sum(product * weights) with respect to its inputs, on the active backend. */
function productAndGradients(c: Case): Product {
  const shape = shapes(c);
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  return tf.tidy(() => {
    const a = tf.tensor(seededValues(size(shape.a), 'a'), shape.a);
    const b = tf.tensor(seededValues(size(shape.b), 'b'), shape.b);
    const bias = tf.tensor1d(seededValues(N, 'bias'));
    const preluActivationWeights = c.fused === 'prelu' ? tf.tensor1d(seededValues(N, 'prelu')) : undefined;
    const weights = tf.tensor(seededValues(size(shape.out), 'weights'), shape.out);
    const product = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor): tf.Tensor =>
      c.fused
        ? tf.fused.matMul({ a: x, b: y, transposeA: c.transposeA, transposeB: c.transposeB, bias: z, activation: c.fused, preluActivationWeights, leakyreluAlpha: 0.3 })
        : tf.matMul(x, y, c.transposeA, c.transposeB);
    const output = product(a, b, bias);
    expect(output.shape).toEqual(shape.out);
    // tfjs-core's BatchMatMul gradient does not reduce over broadcast batch dimensions (it throws), so broadcast
    // products are compared on their outputs only.
    const broadcast = JSON.stringify(c.batch) !== JSON.stringify(c.batchB ?? c.batch);
    const gradients = broadcast
      ? []
      : c.fused
        ? tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(product(x, y, z), weights)))([a, b, bias])
        : tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(product(x, y, bias), weights)))([a, b]);
    return { output: Float32Array.from(output.dataSync()), gradients: gradients.map((g) => Float32Array.from(g.dataSync())) };
  });
}

async function on<T>(name: BackendName, run: () => T): Promise<T> {
  await initBackend({ name });
  return run();
}

const cases: Case[] = [];
const batches: [number[], number[]][] = [[[], []], [[3], [3]], [[3], []], [[3], [1]], [[1], [3]], [[2, 3], [2, 3]], [[2, 3], []], [[2, 1], [1, 3]]];
for (const [batch, batchB] of batches) {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      cases.push({ batch, batchB, transposeA, transposeB });
      // tf.fused.matMul takes 3-D operands at most.
      if (batch.length < 2) cases.push({ batch, batchB, transposeA, transposeB, fused: 'relu' });
    }
  }
}
for (const [batch, batchB] of [[[], []], [[3], [3]], [[3], []]]) {
  for (const fused of ['linear', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) cases.push({ batch, batchB, transposeA: false, transposeB: true, fused });
}

describe('wasm BatchMatMul / _FusedMatMul transpose fix', () => {
  beforeAll(async () => {
    await initBackend({ name: 'wasm' });
  });
  afterAll(async () => {
    installWasmMatMulFix();
    await initBackend({ name: 'wasm' });
  });

  test('is installed by initBackend and is idempotent', () => {
    expect(isWasmMatMulFixInstalled()).toBe(true);
    expect(installWasmMatMulFix()).toBe(false);
    expect(isWasmMatMulFixInstalled()).toBe(true);
  });

  test.each(cases)('matches the cpu backend: batch $batch x $batchB, transposeA $transposeA, transposeB $transposeB, fused activation $fused', async (c) => {
    const reference = await on('cpu', () => productAndGradients(c));
    const fixed = await on('wasm', () => {
      const buffersBefore = tf.memory().numDataBuffers;
      const result = productAndGradients(c);
      // The intermediate transposed buffers are freed inside the kernel.
      expect(tf.memory().numDataBuffers).toBe(buffersBefore);
      return result;
    });
    expectAllClose(fixed.output, reference.output, 1e-5, 'output');
    fixed.gradients.forEach((g, i) => expectAllClose(g, reference.gradients[i], 1e-5, `gradient ${i}`));
    expect(fixed.gradients.length).toBe(reference.gradients.length);
    expect(reference.gradients.every((g) => g.some((v) => v !== 0))).toBe(true);
  });

  test('gives the same results as the original wasm kernels where those are right', async () => {
    await initBackend({ name: 'wasm' });
    for (const c of [{ batch: [], transposeA: true, transposeB: true }, { batch: [3], transposeA: true, transposeB: false }] as Case[]) {
      const fixed = productAndGradients(c);
      uninstallWasmMatMulFix();
      try {
        const original = productAndGradients(c);
        expectAllClose(fixed.output, original.output, 1e-5, 'output');
        fixed.gradients.forEach((g, i) => expectAllClose(g, original.gradients[i], 1e-5, `gradient ${i}`));
      } finally {
        installWasmMatMulFix();
      }
    }
  });

  test('the original wasm _FusedMatMul is wrong for batched products with a bias (why the fix decomposes them)', async () => {
    // If this starts failing after a tfjs upgrade, the upstream bug is fixed and fusedWithFixes can go.
    const c: Case = { batch: [3], transposeA: false, transposeB: false, fused: 'linear' };
    const reference = await on('cpu', () => productAndGradients(c));
    await initBackend({ name: 'wasm' });
    uninstallWasmMatMulFix();
    try {
      const original = productAndGradients(c);
      const worst = Math.max(...original.output.map((v, i) => Math.abs(v - reference.output[i])));
      expect(worst).toBeGreaterThan(0.1);
    } finally {
      installWasmMatMulFix();
    }
  });

  test('speeds up an MLP training step (measured once, printed, not asserted)', async () => {
    await initBackend({ name: 'wasm' });
    const model = createMlp({ inputSize: 784, width: 256, depth: 2, numClasses: 10, activation: 'relu', seed: 0 });
    const optimizer = createAdamW(model.parameters, { learningRate: 1e-3 });
    const x = tf.tensor2d(seededValues(128 * 784, 'x').map((v) => (v + 1) / 2), [128, 784]);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 128 }, (_, i) => i % 10), 'int32'), 10) as tf.Tensor2D;
    const variables = model.parameters.map((p) => p.variable);
    const step = () => {
      const { value, grads } = tf.tidy(() => tf.variableGrads(() => meanCrossEntropy(model.logits(x), y), variables));
      value.dataSync();
      optimizer.step(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    const time = (steps: number) => {
      step();
      const started = performance.now();
      for (let i = 0; i < steps; i++) step();
      return (performance.now() - started) / steps;
    };
    try {
      uninstallWasmMatMulFix();
      const original = time(10);
      installWasmMatMulFix();
      const fixed = time(10);
      console.log(
        `wasm MLP 784-256x2-10 training step, batch 128: original kernels ${original.toFixed(1)} ms ` +
          `(${Math.round(128_000 / original)} ex/s), with the transpose fix ${fixed.toFixed(1)} ms (${Math.round(128_000 / fixed)} ex/s): ` +
          `${(original / fixed).toFixed(2)}x`,
      );
    } finally {
      installWasmMatMulFix();
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    }
  });
});
