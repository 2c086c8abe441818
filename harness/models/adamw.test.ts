import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ModelError } from '../errors.ts';
import type { EpochLog, Split } from '../types.ts';
import { createAdamW } from './adamw.ts';
import { initBackend, type BackendName } from './backend.ts';
import { AdamWMoments } from './fastCpu/adamwUpdate.ts';
import { findBlas } from './fastCpu/blas.ts';
import { CHUNK } from './fastCpu/simd.ts';
import type { Parameter } from './classifier.ts';
import reference from '../../bench/fixtures/torch_reference.json' with { type: 'json' };
import { expectAllClose, seededValues } from '../../bench/fixtures/testUtils.ts';
import { createMlp } from './mlp.ts';
import { trainClassifier } from './train.ts';
import { describeNeeding } from '../../fixtures/systemPieces.ts';

// Reference values: fixtures/torch_reference.json, made by fixtures/torch_reference.py with PyTorch 1.13
// (Debian python3-torch): torch.optim.AdamW and nn.Linear / nn.CrossEntropyLoss.

function parameters(weight: number[][], bias: number[]): Parameter[] {
  const variable = (values: tf.Tensor, name: string) => {
    const v = tf.variable(values, true, name);
    values.dispose();
    return v;
  };
  return [
    { name: 'weight', variable: variable(tf.tensor2d(weight), 'adamw-test-weight'), role: 'weight' },
    { name: 'bias', variable: variable(tf.tensor1d(bias), 'adamw-test-bias'), role: 'bias' },
  ];
}

const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));

// The fused update of the fast-cpu backend (moments in WebAssembly memory, weights updated in place) and the
// tf-ops update every other backend runs are both held to PyTorch's numbers.
const BACKENDS: BackendName[] = findBlas().found ? ['fast-cpu', 'wasm'] : ['wasm'];

describe.each(BACKENDS)('createAdamW on %s', (backend) => {
  beforeEach(async () => {
    await initBackend({ name: backend });
  });

  test('one step by hand: w ← w(1 − lr·λ) − lr · g / (|g| + ε), decay multiplied by the learning rate', () => {
    // After one step m̂ = g and v̂ = g², so the Adam update is lr · g / (|g| + ε).
    const [lr, wd] = [0.01, 0.1];
    tf.tidy(() => {
      const params = parameters([[0.5, -1, 2]], [0.3]);
      const optimizer = createAdamW(params, { learningRate: lr, weightDecay: wd });
      optimizer.step({ 'adamw-test-weight': tf.tensor2d([[0.2, 0, -3]]), 'adamw-test-bias': tf.tensor1d([-0.5]) });
      const expectedWeight = [0.5 * (1 - lr * wd) - lr, -1 * (1 - lr * wd), 2 * (1 - lr * wd) + lr * (3 / (3 + 1e-8))];
      expectAllClose(params[0].variable.dataSync(), expectedWeight, 1e-7, 'weight');
      // Biases are not decayed by default.
      expectAllClose(params[1].variable.dataSync(), [0.3 + lr], 1e-7, 'bias');
      // Not the convention without the learning rate (w ← w − λ·w − …), which would give 0.45 − lr here.
      expect(Math.abs(params[0].variable.dataSync()[0] - (0.5 * (1 - wd) - lr))).toBeGreaterThan(0.04);
      expect(optimizer.steps).toBe(1);
      optimizer.dispose();
      params.forEach((p) => p.variable.dispose());
    });
  });

  test.each(reference.adamw.cases)('two steps match torch.optim.AdamW (decayBiases $decayBiases)', (c) => {
    const before = tf.memory().numTensors;
    const params = parameters(reference.adamw.weight0, reference.adamw.bias0);
    const optimizer = createAdamW(params, { learningRate: c.learningRate, weightDecay: c.weightDecay, decayBiases: c.decayBiases });
    reference.adamw.grads.forEach((g, step) => {
      tf.tidy(() => optimizer.step({ 'adamw-test-weight': tf.tensor2d(g.weight), 'adamw-test-bias': tf.tensor1d(g.bias) }));
      expectAllClose(params[0].variable.dataSync(), c.steps[step].weight.flat(), 1e-6, `weight after step ${step + 1}`);
      expectAllClose(params[1].variable.dataSync(), c.steps[step].bias, 1e-6, `bias after step ${step + 1}`);
    });
    optimizer.dispose();
    params.forEach((p) => p.variable.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  test('rejects bad settings and missing gradients', () => {
    const params = parameters([[1]], [0]);
    expect(() => createAdamW(params, { learningRate: 0 })).toThrow(ModelError);
    expect(() => createAdamW(params, { learningRate: 1e-3, betas: [1, 0.999] })).toThrow(/beta1/);
    expect(() => createAdamW(params, { learningRate: 1e-3, weightDecay: -1 })).toThrow(/weightDecay/);
    const optimizer = createAdamW(params, { learningRate: 1e-3 });
    expect(() => tf.tidy(() => optimizer.step({ 'adamw-test-weight': tf.tensor2d([[1]]) }))).toThrow(/no gradient for parameter 'bias'/);
    optimizer.dispose();
    params.forEach((p) => p.variable.dispose());
  });
});

describe.each(BACKENDS)('trainClassifier on %s against PyTorch (full-batch steps of a 4-3-2 MLP)', (backend) => {
  const { x, labels } = reference.mlp;
  const split = (name: 'train' | 'validation', count: number): Split => ({
    name,
    count,
    featureShape: [4],
    numClasses: 2,
    features: Float32Array.from(x.slice(0, count).flat()),
    labels: Uint8Array.from(labels.slice(0, count)),
  });

  test.each(reference.mlp.cases)('$activation, lr $learningRate, weight decay $weightDecay, l2 $l2: same losses and weights', async (c) => {
    await initBackend({ name: backend });
    const mlp = createMlp({ inputSize: 4, width: 3, depth: 1, numClasses: 2, activation: c.activation as 'relu' | 'gelu', seed: 0 });
    // nn.Linear stores weights as [out, in]; hypotest's are [in, out].
    const initial = [transpose(reference.mlp.w1), reference.mlp.b1, transpose(reference.mlp.w2), reference.mlp.b2];
    mlp.parameters.forEach((p, i) => tf.tidy(() => p.variable.assign(tf.tensor(initial[i] as number[] | number[][]))));
    const losses: number[] = [];
    // One epoch = one full batch of the 5 examples, so the shuffle only reorders a sum.
    const result = await trainClassifier(mlp, { train: split('train', 5), validation: split('validation', 0) }, {
      epochs: reference.mlp.steps,
      batchSize: 5,
      learningRate: c.learningRate,
      weightDecay: c.weightDecay,
      l2: c.l2,
      seed: 0,
      onEpoch: (log: EpochLog) => losses.push(log.trainLoss),
    });
    expect(result.status).toBe('ok');
    expectAllClose(losses, c.losses, 1e-5, 'losses');
    const expected = [transpose(c.w1).flat(), c.b1, transpose(c.w2).flat(), c.b2];
    mlp.parameters.forEach((p, i) => expectAllClose(p.variable.dataSync(), expected[i], 2e-5, p.name));
    mlp.dispose();
  });
});

/** AdamW in double precision, PyTorch's order of operations: the reference for the fused update. */
function adamwReference(w: Float32Array, steps: Float32Array[], options: { lr: number; decay: number; beta1: number; beta2: number; eps: number }): Float64Array {
  const { lr, decay, beta1, beta2, eps } = options;
  const weights = Float64Array.from(w);
  const m = new Float64Array(w.length);
  const v = new Float64Array(w.length);
  steps.forEach((g, index) => {
    const t = index + 1;
    const stepSize = lr / (1 - beta1 ** t);
    const root = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < w.length; i++) {
      weights[i] *= 1 - lr * decay;
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      weights[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / root + eps);
    }
  });
  return weights;
}

describe('AdamWMoments (the fused update in WebAssembly SIMD)', () => {
  test('matches AdamW in double precision over sizes with remainders and several chunks, with and without decay', () => {
    const sizes = [1, 3, 4, 7, 130, CHUNK + 5];
    const moments = new AdamWMoments(sizes);
    for (const decay of [0, 0.1]) {
      sizes.forEach((size, index) => {
        const w0 = seededValues(size, `moments-w-${size}`);
        const grads = [1, 2, 3].map((step) => seededValues(size, `moments-g-${size}-${step}`));
        const fresh = new AdamWMoments([size]);
        const w = Float32Array.from(w0);
        grads.forEach((g, i) => {
          const t = i + 1;
          fresh.update(0, w, g, { decayFactor: 1 - 1e-2 * decay, beta1: 0.9, beta2: 0.999, biasCorrection2Root: Math.sqrt(1 - 0.999 ** t), epsilon: 1e-8, stepSize: 1e-2 / (1 - 0.9 ** t) });
        });
        expectAllClose(w, adamwReference(w0, grads, { lr: 1e-2, decay, beta1: 0.9, beta2: 0.999, eps: 1e-8 }), 2e-6, `size ${size}, decay ${decay}`);
        // Each parameter's moments live apart: updating one leaves the others alone.
        expect(moments.m(index).every((x) => x === 0)).toBe(true);
      });
    }
  });

  test('a NaN or infinite gradient propagates into the weight, as in PyTorch', () => {
    const moments = new AdamWMoments([5]);
    const w = Float32Array.of(1, 1, 1, 1, 1);
    moments.update(0, w, Float32Array.of(0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0), { decayFactor: 1, beta1: 0.9, beta2: 0.999, biasCorrection2Root: Math.sqrt(0.001), epsilon: 1e-8, stepSize: 1e-3 / 0.1 });
    expect(w[0]).toBeCloseTo(1 - 1e-3, 6);
    // inf / inf in the update is NaN, as torch.optim.AdamW gives for an infinite gradient.
    expect([w[1], w[2], w[3]].every(Number.isNaN)).toBe(true);
    expect(w[4]).toBe(1);
    expect(Number.isNaN(moments.m(0)[1])).toBe(true);
  });
});

describeNeeding('libopenblas0', findBlas().found)('createAdamW on fast-cpu: in-place updates keep tfjs semantics', () => {
  beforeAll(async () => {
    await initBackend({ name: 'fast-cpu' });
  });

  test('a Float32Array handed to tf.tensor, and values read before a step, are never changed', () => {
    const values = Float32Array.of(1, 2, 3);
    const initial = tf.tensor(values);
    const variable = tf.variable(initial, true, 'inplace-user-array');
    initial.dispose();
    const before = variable.dataSync();
    const optimizer = createAdamW([{ name: 'w', variable, role: 'weight' }], { learningRate: 0.1 });
    const grads = { 'inplace-user-array': tf.tensor1d([1, 1, 1]) };
    optimizer.step(grads);
    optimizer.step(grads);
    expect(Array.from(values)).toEqual([1, 2, 3]);
    expect(Array.from(before)).toEqual([1, 2, 3]);
    expectAllClose(variable.dataSync(), [0.8, 1.8, 2.8], 1e-6, 'two steps of lr 0.1 against a constant gradient');
    tf.dispose(grads);
    optimizer.dispose();
    variable.dispose();
  });

  test('a tensor sharing the variable\'s data (tf.clone) keeps the old values; nothing leaks', () => {
    const variable = tf.variable(tf.tensor1d([5, 6]), true, 'inplace-clone');
    const clone = tf.clone(variable);
    const optimizer = createAdamW([{ name: 'w', variable, role: 'weight' }], { learningRate: 0.5 });
    const before = tf.memory().numTensors;
    const grads = { 'inplace-clone': tf.tensor1d([1, -1]) };
    optimizer.step(grads);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(clone.dataSync())).toEqual([5, 6]);
    expectAllClose(variable.dataSync(), [4.5, 6.5], 1e-6, 'variable');
    optimizer.dispose();
    tf.dispose([variable, clone]);
  });

  test('switching to another backend mid-training moves the moments into tensors and continues exactly as the tf-ops update', async () => {
    const w0 = seededValues(50, 'switch-w');
    const grads = [1, 2, 3, 4].map((s) => seededValues(50, `switch-g-${s}`));
    const run = async (switchAfter: number | undefined) => {
      await initBackend({ name: switchAfter === undefined ? 'cpu' : 'fast-cpu' });
      const variable = tf.variable(tf.tensor(w0), true, `switch-${switchAfter}`);
      const optimizer = createAdamW([{ name: 'w', variable, role: 'weight' }], { learningRate: 1e-2, weightDecay: 0.1 });
      for (let i = 0; i < grads.length; i++) {
        if (i === switchAfter) await initBackend({ name: 'cpu' });
        const g = { [variable.name]: tf.tensor(grads[i]) };
        optimizer.step(g);
        tf.dispose(g);
      }
      const out = Float32Array.from(variable.dataSync());
      optimizer.dispose();
      variable.dispose();
      await initBackend({ name: 'fast-cpu' });
      return out;
    };
    const opsOnly = await run(undefined);
    expectAllClose(await run(2), opsOnly, 1e-6, 'fast-cpu for 2 steps, then cpu');
    expectAllClose(await run(99), opsOnly, 1e-6, 'fast-cpu throughout');
  });
});
