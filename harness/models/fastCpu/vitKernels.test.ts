import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectSameOutputs, fastCpuAvailable, onBoth, testValues } from '../../../bench/fixtures/backendCompare.ts';
import { layerNorm } from '../vit.ts';
import { CHUNK } from './simd.ts';
import { LAYER_NORM_KERNEL, fusedLayerNorm } from './layerNorm.ts';
import { transposeInto } from './transpose.ts';
import { describeNeeding } from '../../../fixtures/systemPieces.ts';

// The kernels the ViT needs (Transpose, Softmax, Mean, GatherV2, N-d broadcasting binary ops, the fused LayerNorm)
// against tfjs-backend-cpu's own kernels, or, for the LayerNorm, tfjs ops on the cpu backend: values and gradients.
const available = await fastCpuAvailable();

const tensor = (shape: number[], seed: number, options: { specials?: boolean; scale?: number } = {}) =>
  tf.tensor(testValues(shape.reduce((a, b) => a * b, 1), seed, options), shape, 'float32');

/** Σ (f(x) · w) for fixed random weights w: a scalar whose gradient is a generic upstream gradient. */
const weighted = (y: tf.Tensor, seed: number) => tf.sum(tf.mul(y, tensor(y.shape, seed)));

describe('transposeInto', () => {
  test('a 2x3 matrix', () => {
    const out = new Float32Array(6);
    transposeInto(out, Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describeNeeding('libopenblas0', available)('ViT kernels on fast-cpu against tfjs-backend-cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('fast-cpu');
  });

  describe('Transpose (strided copy)', () => {
    test.each([
      [[2, 3], [1, 0]],
      [[4, 5, 6], [2, 0, 1]],
      [[2, 16, 12, 4], [2, 0, 1, 3]],
      [[12, 2, 16, 4], [1, 2, 0, 3]],
      [[2, 4, 7, 4, 7], [0, 1, 3, 2, 4]],
      [[3, 1, 5, 1, 2, 3], [5, 3, 0, 2, 1, 4]],
      [[1, 1, 4], [2, 1, 0]],
      [[3, 4], [0, 1]],
      [[0, 3], [1, 0]],
      [[2, 3, 4, 5], [3, 2, 1, 0]],
    ])('shape %o, perm %o: bit-identical, NaN and infinities included, and its gradient', async (shape, perm) => {
      expectSameOutputs(await onBoth(() => tf.transpose(tensor(shape, 1, { specials: true }), perm)), 0, 'values');
      if (shape.includes(0)) return;
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => weighted(tf.transpose(x, perm), 2))(tensor(shape, 1))), 0, 'gradient');
    });

    test('int32 falls back to the cpu kernel', async () => {
      expectSameOutputs(await onBoth(() => tf.transpose(tf.tensor([[1, 2, 3]], [1, 3], 'int32'), [1, 0])), 0);
    });
  });

  describe('Softmax (last axis, fused)', () => {
    test.each([
      [[4, 10], 1],
      [[4, 128, 16, 16], 3],
      [[3, 1], 1],
      [[2, 3, CHUNK + 7], 1],
      [[5, 7], 40],
    ])('shape %o, logits scaled by %d: within 1e-6 of the cpu kernel, rows sum to 1, and its gradient', async (shape, scale) => {
      const result = await onBoth(() => tf.softmax(tensor(shape, 3, { scale })));
      expectSameOutputs(result, 1e-6, 'values');
      const classes = shape[shape.length - 1];
      const values = result.fast.values[0];
      for (let row = 0; row < values.length / classes; row++) {
        let sum = 0;
        for (let k = 0; k < classes; k++) sum += values[row * classes + k];
        expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      }
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => weighted(tf.softmax(x), 4))(tensor(shape, 3, { scale }))), 1e-5, 'gradient');
    });

    test('NaN and infinite logits give what the cpu kernel gives', async () => {
      const rows = [
        [0, 1, 2],
        [Number.NaN, 1, 2],
        [Number.POSITIVE_INFINITY, 1, 2],
        [Number.NEGATIVE_INFINITY, 1, 2],
        [-1e30, 1e30, 0],
      ];
      expectSameOutputs(await onBoth(() => tf.softmax(tf.tensor2d(rows))), 1e-6);
    });
  });

  describe('Mean (on Sum plan)', () => {
    test.each([
      [[128, 16, 64], [1]],
      [[2048, 64], [1]],
      [[5, 6, 7], [0]],
      [[5, 6, 7], [0, 1]],
      [[5, 6, 7], [0, 2]],
      [[5, 6, 7], [0, 1, 2]],
      [[3, 1, 4], [1, 2]],
    ])('shape %o over axes %o: bit-identical, with keepDims, and its gradient', async (shape, axes) => {
      expectSameOutputs(await onBoth(() => tf.mean(tensor(shape, 5, { specials: true }), axes)), 0, 'values');
      expectSameOutputs(await onBoth(() => tf.mean(tensor(shape, 5), axes, true)), 0, 'keepDims');
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => weighted(tf.mean(x, axes), 6))(tensor(shape, 5))), 0, 'gradient');
    });

    test('int32 falls back to the cpu kernel', async () => {
      expectSameOutputs(await onBoth(() => tf.mean(tf.tensor([[1, 2], [3, 5]], [2, 2], 'int32'), 1)), 0);
    });
  });

  describe('GatherV2', () => {
    test.each([
      [[4, 784], 1, 784],
      [[6, 5], 0, 9],
      [[3, 4, 5], 1, 7],
      [[3, 4, 5], 2, 3],
    ])('shape %o along axis %d with %d indices: bit-identical, and its gradient', async (shape, axis, count) => {
      const indices = () => tf.tensor1d(Int32Array.from({ length: count }, (_, i) => (i * 7 + 3) % shape[axis]), 'int32');
      expectSameOutputs(await onBoth(() => tf.gather(tensor(shape, 7, { specials: true }), indices(), axis)), 0, 'values');
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => weighted(tf.gather(x, indices(), axis), 8))(tensor(shape, 7))), 0, 'gradient');
    });

    test('rejects an index out of range as the cpu kernel does', async () => {
      await tf.setBackend('fast-cpu');
      expect(() => tf.tidy(() => tf.gather(tf.ones([2, 3]), tf.tensor1d([3], 'int32'), 1))).toThrow(/index value 3 is not in \[0, 2\]/);
    });
  });

  describe('Add, Sub, Multiply, RealDiv with any broadcast', () => {
    test.each([
      [[128, 1, 64], [128, 16, 64]],
      [[2, 3, 4, 5], [3, 1, 5]],
      [[2, 1, 4, 1], [1, 3, 1, 5]],
      [[4, 1, 2, 1, 3], [1, 5, 1, 6, 1]],
      [[7, 1, 1], [1, 1, 9]],
      [[3, 2, 1], [2, 5]],
    ])('%o with %o: bit-identical for all four ops, and the gradients', async (aShape, bShape) => {
      for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
        expectSameOutputs(await onBoth(() => op(tensor(aShape, 9, { specials: true }), tensor(bShape, 10, { specials: true }))), 0, `${op.name} values`);
        expectSameOutputs(await onBoth(() => op(tensor(bShape, 10), tensor(aShape, 9))), 0, `${op.name} swapped`);
        expectSameOutputs(await onBoth(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => weighted(op(a, b), 11))([tensor(aShape, 9), tensor(bShape, 10, { scale: 2 })])), 1e-6, `${op.name} gradients`);
      }
    });
  });

  describe('LayerNorm (fused)', () => {
    const cases: [number, number][] = [
      [2048, 64],
      [3, 5],
      [1, 1],
      [7, 200],
    ];
    test.each(cases)('[%d, %d]: values and the gradients of x, gain and offset match tfjs ops on the cpu backend', async (rows, features) => {
      const inputs = () => [tensor([rows, features], 12, { scale: 3 }), tensor([features], 13), tensor([features], 14)] as const;
      const result = await onBoth(() => {
        const [x, gain, offset] = inputs();
        return layerNorm(x as tf.Tensor2D, gain as tf.Tensor1D, offset as tf.Tensor1D);
      });
      expectSameOutputs(result, 2e-6, 'values');
      const gradients = await onBoth(() => {
        const [x, gain, offset] = inputs();
        return tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => weighted(layerNorm(a as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), 15))([x, gain, offset]);
      });
      // dx is a difference of terms of similar size; its float32 rounding in the op chain is a few 1e-6 relative.
      expectSameOutputs(gradients, 2e-5, 'gradients');
    });

    test('a constant row normalises to the offset, with gradients still finite', async () => {
      const result = await onBoth(() =>
        tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => weighted(layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), 16))([tf.fill([2, 4], 3), tensor([4], 17), tensor([4], 18)]),
      );
      expectSameOutputs(result, 1e-5, 'gradients');
      expect(result.fast.values.every((v) => v.every(Number.isFinite))).toBe(true);
    });

    test('layerNorm uses the fused kernel on fast-cpu, and fusedLayerNorm refuses other backends', async () => {
      await tf.setBackend('fast-cpu');
      const kernels = (await tf.profile(() => layerNorm(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D))).kernels.map((k) => k.name);
      expect(kernels).toContain(LAYER_NORM_KERNEL);
      await tf.setBackend('cpu');
      expect(() => tf.tidy(() => fusedLayerNorm(tf.ones([2, 3]) as tf.Tensor2D, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-5))).toThrow(/fast-cpu/);
      await tf.setBackend('fast-cpu');
    });
  });

  test('a ViT training step (forward, loss, all gradients) matches the cpu backend', async () => {
    const { createVit } = await import('../vit.ts');
    const { meanCrossEntropy } = await import('../train.ts');
    const step = () => {
      const vit = createVit({ imageShape: [8, 8, 2], patchSize: 4, width: 8, depth: 2, heads: 2, mlpWidth: 16, numClasses: 3, seed: 3 });
      const x = tensor([5, 128], 19) as tf.Tensor2D;
      const targets = tf.cast(tf.oneHot(tf.tensor1d([0, 2, 1, 1, 0], 'int32'), 3), 'float32') as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => meanCrossEntropy(vit.logits(x), targets), vit.parameters.map((p) => p.variable));
      const out = [value, ...vit.parameters.map((p) => grads[p.variable.name])];
      vit.dispose();
      return out;
    };
    expectSameOutputs(await onBoth(step), 2e-5, 'loss and gradients');
  });
});
