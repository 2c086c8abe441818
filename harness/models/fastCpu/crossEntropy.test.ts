import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ModelError } from '../../errors.ts';
import { expectSameOutputs, fastCpuAvailable, onBoth, testValues } from '../../../bench/fixtures/backendCompare.ts';
import { meanCrossEntropy } from '../train.ts';
import { fusedMeanCrossEntropy } from './crossEntropy.ts';
import { describeNeeding } from '../../../fixtures/systemPieces.ts';

// meanCrossEntropy is one fused kernel on fast-cpu and tfjs ops (logSoftmax, mul, sum, mean, neg) on the cpu
// backend: the two must agree, loss and gradients, to float32 rounding.
const available = await fastCpuAvailable();

const logits = (batch: number, classes: number, seed: number, scale = 3) => tf.tensor2d(testValues(batch * classes, seed, { scale }), [batch, classes]);
const oneHot = (batch: number, classes: number) => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % classes), 'int32'), classes), 'float32') as tf.Tensor2D;
const soft = (batch: number, classes: number, seed: number) => tf.softmax(tf.tensor2d(testValues(batch * classes, seed), [batch, classes])) as tf.Tensor2D;

describeNeeding('libopenblas0', available)('the fused softmax cross-entropy (fast-cpu)', () => {
  test.each([
    ['one-hot targets', 128, 10, false],
    ['soft targets', 33, 7, true],
    ['one example', 1, 3, false],
  ] as const)('%s: loss and gradients for logits and targets match the tfjs-ops formula', async (_name, batch, classes, softTargets) => {
    const lossAndGradients = () => {
      const targets = softTargets ? soft(batch, classes, 2) : oneHot(batch, classes);
      const [gradLogits, gradTargets] = tf.grads((z: tf.Tensor, t: tf.Tensor) => meanCrossEntropy(z as tf.Tensor2D, t as tf.Tensor2D))([logits(batch, classes, 1), targets]);
      return [meanCrossEntropy(logits(batch, classes, 1), targets), gradLogits, gradTargets];
    };
    expectSameOutputs(await onBoth(lossAndGradients), 2e-6);
  });

  test('large logits do not overflow; NaN and infinite logits give a non-finite loss, as the ops do', async () => {
    const cases = [
      [[1000, -1000, 0], [1, 0, 0]],
      [[Number.NaN, 0, 0], [0, 1, 0]],
      [[Number.POSITIVE_INFINITY, 0, 0], [1, 0, 0]],
      [[0, Number.NEGATIVE_INFINITY, 0], [1, 0, 0]],
    ];
    for (const [z, t] of cases) {
      expectSameOutputs(await onBoth(() => meanCrossEntropy(tf.tensor2d([z]), tf.tensor2d([t]))), 2e-6, `logits ${z}`);
    }
    const { fast } = await onBoth(() => meanCrossEntropy(tf.tensor2d([[1000, -1000, 0]]), tf.tensor2d([[1, 0, 0]])));
    expect(fast.values[0][0]).toBeCloseTo(0, 6);
  });

  test('the loss is ln 2 for two equal logits, and leaks no tensors', async () => {
    await tf.setBackend('fast-cpu');
    const before = tf.memory().numTensors;
    const loss = tf.tidy(() => meanCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]])));
    expect(loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('fusedMeanCrossEntropy refuses another backend or mismatched shapes', async () => {
    await tf.setBackend('cpu');
    expect(() => tf.tidy(() => fusedMeanCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3])))).toThrow(ModelError);
    await tf.setBackend('fast-cpu');
    expect(() => tf.tidy(() => fusedMeanCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4])))).toThrow(/same \[batch, classes\] shape/);
  });
});
