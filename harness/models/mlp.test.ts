import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelError } from '../errors.ts';
import { initBackend } from './backend.ts';
import reference from '../../bench/fixtures/torch_reference.json' with { type: 'json' };
import { expectAllClose } from '../../bench/fixtures/testUtils.ts';
import { createMlp, gelu, type MlpArgs } from './mlp.ts';
import { weightsFingerprint } from './train.ts';

const args: MlpArgs = { inputSize: 12, width: 8, depth: 2, numClasses: 3, activation: 'relu', seed: 7 };

describe('createMlp', () => {
  beforeAll(async () => {
    await initBackend();
  });

  test('has depth hidden layers of the given width, weights [fan_in, fan_out]', () => {
    const mlp = createMlp(args);
    expect(mlp.parameters.map((p) => [p.name, p.variable.shape, p.role])).toEqual([
      ['layer-0/weight', [12, 8], 'weight'],
      ['layer-0/bias', [8], 'bias'],
      ['layer-1/weight', [8, 8], 'weight'],
      ['layer-1/bias', [8], 'bias'],
      ['layer-2/weight', [8, 3], 'weight'],
      ['layer-2/bias', [3], 'bias'],
    ]);
    const logits = mlp.logits(tf.zeros([5, 12]) as tf.Tensor2D);
    expect(logits.shape).toEqual([5, 3]);
    logits.dispose();
    mlp.dispose();
  });

  test('depth 0 is multinomial logistic regression', () => {
    const mlp = createMlp({ ...args, depth: 0 });
    expect(mlp.parameters.map((p) => p.variable.shape)).toEqual([[12, 3], [3]]);
    mlp.dispose();
  });

  test('initialises like PyTorch nn.Linear: weights and biases uniform on ±1/sqrt(fan_in)', () => {
    const mlp = createMlp({ ...args, inputSize: 400, width: 300, depth: 1 });
    for (const p of mlp.parameters) {
      const fanIn = p.name.startsWith('layer-0') ? 400 : 300;
      const bound = 1 / Math.sqrt(fanIn);
      const values = p.variable.dataSync() as Float32Array;
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (p.role === 'weight') {
        // Uniform on [-b, b): mean 0, variance b²/3, and it reaches close to both ends.
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
        // Within 5 standard errors: the mean's is b/sqrt(3n); the variance ratio's is sqrt(0.8/n) for a uniform.
        expect(Math.abs(mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * values.length));
        expect(Math.abs(variance / ((bound * bound) / 3) - 1)).toBeLessThan(5 * Math.sqrt(0.8 / values.length));
        expect(Math.max(...values)).toBeGreaterThan(0.99 * bound);
      }
    }
    mlp.dispose();
  });

  test('the same seed gives identical weights, another seed different ones, each layer its own stream', () => {
    const a = createMlp(args);
    const b = createMlp(args);
    const c = createMlp({ ...args, seed: 8 });
    expect(weightsFingerprint(a)).toBe(weightsFingerprint(b));
    expect(weightsFingerprint(a)).not.toBe(weightsFingerprint(c));
    const hidden = a.parameters[2].variable.dataSync().slice(0, 8);
    const first = a.parameters[0].variable.dataSync().slice(0, 8);
    expect(Array.from(hidden)).not.toEqual(Array.from(first.map((v) => (v * Math.sqrt(12)) / Math.sqrt(8))));
    for (const m of [a, b, c]) m.dispose();
  });

  test('forward passes leak no tensors', () => {
    const mlp = createMlp({ ...args, activation: 'gelu' });
    const x = tf.ones([4, 12]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    mlp.logits(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    mlp.dispose();
  });

  test('dispose frees every variable', () => {
    const before = tf.memory().numTensors;
    createMlp(args).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each([
    [{ inputSize: 0 }, /inputSize/],
    [{ width: 2.5 }, /width/],
    [{ depth: -1 }, /depth/],
    [{ numClasses: 1 }, /numClasses/],
    [{ activation: 'tanh' }, /activation/],
    [{ seed: Number.NaN }, /seed/],
  ])('rejects bad arguments %o', (bad, message) => {
    expect(() => createMlp({ ...args, ...(bad as Partial<MlpArgs>) })).toThrow(ModelError);
    expect(() => createMlp({ ...args, ...(bad as Partial<MlpArgs>) })).toThrow(message);
  });
});

describe('gelu', () => {
  test('is the exact (erf) GELU: matches 0.5 x (1 + erf(x / sqrt 2)) from Python math.erf and torch.nn.functional.gelu', async () => {
    // fixtures/torch_reference.json, made by fixtures/torch_reference.py (Python math.erf in float64; PyTorch 1.13 float32).
    await initBackend();
    const y = tf.tidy(() => gelu(tf.tensor1d(reference.gelu.x)).dataSync());
    expectAllClose(y, reference.gelu.exact, 1e-6, 'gelu vs math.erf');
    expectAllClose(y, reference.gelu.torch, 1e-6, 'gelu vs torch');
    // The tanh approximation differs from the exact form by up to 4e-4 on these points (1.5e-4 at x = 1,
    // 4.1e-4 at x = 3), far beyond the tolerance above: the implementation cannot be the approximation.
    const tanhApproximation = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const distance = Math.max(...reference.gelu.x.map((x, i) => Math.abs(y[i] - tanhApproximation(x))));
    expect(distance).toBeGreaterThan(5e-5);
  });

  test('has the exact GELU derivative Φ(x) + x φ(x)', async () => {
    await initBackend();
    const xs = [-2, -0.5, 0.3, 1.7];
    const derivative = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(gelu(x)))(tf.tensor1d(xs)).dataSync());
    const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    const eps = 1e-3;
    const exact = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    xs.forEach((x, i) => {
      const finiteDifference = (exact(x + eps) - exact(x - eps)) / (2 * eps);
      expect(derivative[i]).toBeCloseTo(finiteDifference, 4);
      expect(derivative[i]).toBeCloseTo(0.5 * (1 + erf(x / Math.SQRT2)) + x * phi(x), 4);
    });
  });
});

/** erf by its Maclaurin series (converges fast for |x| < 3; exact to double precision here). */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
