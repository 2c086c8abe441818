import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelError } from '../errors.ts';
import type { EpochLog, Split } from '../types.ts';
import { createAdamW } from './adamw.ts';
import { initBackend } from './backend.ts';
import type { Parameter } from './classifier.ts';
import reference from './fixtures/torch_reference.json' with { type: 'json' };
import { expectAllClose } from './fixtures/testUtils.ts';
import { createMlp } from './mlp.ts';
import { trainClassifier } from './train.ts';

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

describe('createAdamW', () => {
  beforeAll(async () => {
    await initBackend();
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

describe('trainClassifier against PyTorch (full-batch steps of a 4-3-2 MLP)', () => {
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
    await initBackend();
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
