import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectSameOutputs, expectSameValues, fastCpuAvailable, onBoth, runOn, testValues } from '../../../bench/fixtures/backendCompare.ts';
import { CHUNK } from './simd.ts';
import { describeNeeding } from '../../../fixtures/systemPieces.ts';

// Every kernel fast-cpu replaces is compared with tfjs-backend-cpu's own kernel (the reference) on the same
// inputs: element-wise kernels and sums bit for bit (their arithmetic is the same), matrix products to float32
// rounding (BLAS sums in another order).
const available = await fastCpuAvailable();

const tensor = (shape: number[], seed: number, options: { specials?: boolean; scale?: number } = {}) =>
  tf.tensor(testValues(shape.reduce((a, b) => a * b, 1), seed, options), shape, 'float32');

/** Tolerance of a product with `inner` terms of magnitude ≤ 1, relative to (1 + |expected|). */
const productTolerance = (inner: number) => 4e-7 * Math.max(1, inner);

describeNeeding('libopenblas0', available)('fast-cpu kernels against tfjs-backend-cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('fast-cpu');
  });

  describe('BatchMatMul (BLAS)', () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 4],
      [17, 33, 9],
      [128, 100, 30],
    ];
    for (const [m, k, n] of sizes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          test(`${m}x${k} · ${k}x${n}, transposeA ${transposeA}, transposeB ${transposeB}: values and gradients`, async () => {
            const aShape = transposeA ? [k, m] : [m, k];
            const bShape = transposeB ? [n, k] : [k, n];
            const product = () => tf.matMul(tensor(aShape, 1), tensor(bShape, 2), transposeA, transposeB);
            expectSameOutputs(await onBoth(product), productTolerance(k), 'product');
            const gradients = () => {
              const weights = tensor([m, n], 3);
              const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB), weights)))([
                tensor(aShape, 1),
                tensor(bShape, 2),
              ]);
              return [da, db];
            };
            expectSameOutputs(await onBoth(gradients), productTolerance(Math.max(m, n)), 'gradients');
          });
        }
      }
    }

    test.each([
      ['a batch times one matrix (one product over all rows)', [2, 3, 5, 4], [4, 6], false, false],
      ['a batch times one transposed matrix', [3, 5, 4], [1, 6, 4], false, true],
      ['a transposed batch times one matrix', [3, 4, 5], [4, 6], true, false],
      ['one matrix times a batch', [5, 4], [3, 4, 6], false, false],
      ['batch times batch, both transposed', [3, 4, 5], [3, 6, 4], true, true],
      ['4-D batches', [2, 3, 5, 4], [2, 3, 4, 2], false, false],
    ] as const)('%s', async (_name, aShape, bShape, transposeA, transposeB) => {
      expectSameOutputs(await onBoth(() => tf.matMul(tensor([...aShape], 4), tensor([...bShape], 5), transposeA, transposeB)), productTolerance(6));
    });

    test('batch axes broadcast on both sides by numpy rules (where the cpu kernel pairs batches modulo their counts)', async () => {
      const { fast } = await onBoth(() => tf.matMul(tensor([2, 1, 3, 4], 80), tensor([1, 3, 4, 5], 81)));
      expect(fast.shapes).toEqual([[2, 3, 3, 5]]);
      // Reference: out[i][j] = a[i][0] · b[0][j], each product on the cpu backend.
      const expected = await runOn('cpu', () => {
        const a = tensor([2, 1, 3, 4], 80);
        const b = tensor([1, 3, 4, 5], 81);
        const products = [0, 1].flatMap((i) => [0, 1, 2].map((j) => tf.matMul(tf.reshape(tf.slice(a, [i, 0, 0, 0], [1, 1, 3, 4]), [3, 4]), tf.reshape(tf.slice(b, [0, j, 0, 0], [1, 1, 4, 5]), [4, 5]))));
        return tf.reshape(tf.stack(products), [2, 3, 3, 5]);
      });
      expectSameValues(fast.values[0], expected.values[0], productTolerance(4), 'broadcast batches');
    });

    test('empty dimensions: no rows, no columns, no shared dimension (zeros)', async () => {
      for (const [aShape, bShape] of [
        [[0, 3], [3, 4]],
        [[2, 3], [3, 0]],
        [[2, 0], [0, 4]],
      ] as const) {
        expectSameOutputs(await onBoth(() => tf.matMul(tensor([...aShape], 1), tensor([...bShape], 2))), 0, `${aShape} · ${bShape}`);
      }
      // An empty batch: the cpu kernel returns 8 NaN values for this 0-element shape (it takes the larger batch
      // count, 1, instead of the broadcast one, 0); fast-cpu returns no values.
      const { fast } = await onBoth(() => tf.matMul(tensor([0, 2, 3], 1), tensor([3, 4], 2)));
      expect(fast.shapes).toEqual([[0, 2, 4]]);
      expect(fast.values[0].length).toBe(0);
    });

    test('NaN and infinities propagate as in the cpu backend', async () => {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        expectSameOutputs(
          await onBoth(() => tf.matMul(tensor([9, 9], 6, { specials: true }), tensor([9, 9], 7, { specials: true }), transposeA, transposeB)),
          1e-5,
          `transposeA ${transposeA}, transposeB ${transposeB}`,
        );
      }
    });

    test('int32 products fall back to the cpu kernel', async () => {
      const product = () => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor2d([[5, 6], [7, 8]], [2, 2], 'int32'));
      const result = await onBoth(product);
      expectSameOutputs(result, 0);
      expect(Array.from(result.fast.values[0])).toEqual([19, 22, 43, 50]);
    });
  });

  describe('_FusedMatMul (BLAS, then bias and activation)', () => {
    const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
    for (const activation of activations) {
      test(`${activation}: bias as a row, as a scalar, as a full matrix, and none; every transpose`, async () => {
        for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          for (const biasShape of [[7], [1], [5, 7], undefined]) {
            const fused = () =>
              tf.fused.matMul({
                a: tensor(transposeA ? [11, 5] : [5, 11], 8),
                b: tensor(transposeB ? [7, 11] : [11, 7], 9),
                transposeA,
                transposeB,
                bias: biasShape === undefined ? undefined : tensor(biasShape, 10),
                activation,
                preluActivationWeights: activation === 'prelu' ? tensor([7], 11) : undefined,
                leakyreluAlpha: 0.3,
              });
            expectSameOutputs(await onBoth(fused), productTolerance(11), `transposes ${transposeA}/${transposeB}, bias ${biasShape}`);
          }
        }
      });
    }

    test('gradients of a fused product with bias (linear, custom gradient) and with ReLU (unfused under a tape)', async () => {
      for (const activation of ['linear', 'relu'] as const) {
        const gradients = () =>
          tf.grads((a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation }))))([
            tensor([6, 5], 12),
            tensor([5, 4], 13),
            tensor([4], 14),
          ]);
        expectSameOutputs(await onBoth(gradients), productTolerance(6), activation);
      }
    });
  });

  describe('Add, Sub, Multiply, RealDiv (WebAssembly SIMD)', () => {
    const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;
    const layouts: [string, number[], number[]][] = [
      ['same shape', [7, 9], [7, 9]],
      ['scalar right', [7, 9], []],
      ['scalar left', [], [7, 9]],
      ['bias row', [6, 10], [10]],
      ['row left', [1, 10], [6, 10]],
      ['column (keepDims reduction)', [6, 10], [6, 1]],
      ['column left', [6, 1], [6, 10]],
      ['column times row', [6, 1], [1, 10]],
      ['3-D collapsing to a row', [2, 3, 8], [3, 8]],
      ['3-D collapsing to a column', [2, 3, 8], [2, 3, 1]],
      ['3-D needing three dimensions (cpu fallback)', [2, 3, 8], [2, 1, 8]],
      ['4-D with size-1 axes', [2, 1, 3, 5], [1, 1, 1, 5]],
      ['flat, several chunks', [CHUNK * 2 + 13], [CHUNK * 2 + 13]],
      ['rows across chunk boundaries', [3 * CHUNK / 512 + 5, 512], [512]],
      ['rows longer than a chunk', [3, CHUNK + 7], [CHUNK + 7]],
      ['columns longer than a chunk', [3, CHUNK + 7], [3, 1]],
      ['empty', [0, 4], [4]],
    ];
    for (const [name, op] of Object.entries(ops)) {
      test.each(layouts)(`${name}: %s, bit-identical with NaN, infinities and -0`, async (_layout, aShape, bShape) => {
        expectSameOutputs(await onBoth(() => op(tensor(aShape, 20, { specials: true }), tensor(bShape, 21, { specials: true }))), 0);
      });
    }

    test('random broadcast shapes are bit-identical (fast-check seed 61)', async () => {
      const dim = fc.integer({ min: 1, max: 5 });
      const shapes = fc.array(dim, { minLength: 1, maxLength: 4 }).chain((out) =>
        fc.tuple(
          fc.constant(out),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          fc.nat(out.length),
          fc.nat(out.length),
          fc.constantFrom<keyof typeof ops>('add', 'sub', 'mul', 'div'),
        ),
      );
      await fc.assert(
        fc.asyncProperty(shapes, async ([out, aOnes, bOnes, aDrop, bDrop, name]) => {
          const aShape = out.map((d, i) => (aOnes[i] ? 1 : d)).slice(aDrop);
          const bShape = out.map((d, i) => (bOnes[i] ? 1 : d)).slice(bDrop);
          expectSameOutputs(await onBoth(() => ops[name](tensor(aShape, 22, { specials: true }), tensor(bShape, 23, { specials: true }))), 0, `${name} ${aShape} ${bShape}`);
        }),
        { seed: 61, numRuns: 150 },
      );
    });

    test('int32 operands fall back to the cpu kernels', async () => {
      for (const op of Object.values(ops)) {
        expectSameOutputs(await onBoth(() => op(tf.tensor1d([7, -8, 9], 'int32'), tf.tensor1d([2, 3, -4], 'int32'))), 0);
      }
    });

    test('gradients with broadcasting match', async () => {
      const gradients = () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.div(tf.mul(tf.sub(tf.add(a, b), c), a), tf.add(tf.abs(c), 1))))([
          tensor([5, 6], 30),
          tensor([6], 31),
          tensor([5, 1], 32),
        ]);
      expectSameOutputs(await onBoth(gradients), 0);
    });
  });

  describe('Relu and Step (WebAssembly SIMD)', () => {
    test('bit-identical with NaN, ±Infinity and −0, across chunk boundaries', async () => {
      for (const size of [1, 3, 4, 37, CHUNK + 5]) {
        expectSameOutputs(await onBoth(() => tf.relu(tensor([size], 40, { specials: true }))), 0, `relu ${size}`);
        for (const alpha of [0, 0.25, -2]) {
          expectSameOutputs(await onBoth(() => tf.step(tensor([size], 41, { specials: true }), alpha)), 0, `step ${size}, alpha ${alpha}`);
        }
      }
    });

    test('relu(−0) is +0 and relu(NaN) is NaN, as Math.max(0, x)', async () => {
      const { fast } = await onBoth(() => tf.relu(tf.tensor1d([-0, Number.NaN, Number.NEGATIVE_INFINITY, 2])));
      expect(Object.is(fast.values[0][0], 0)).toBe(true);
      expect(fast.values[0][1]).toBeNaN();
      expect(Array.from(fast.values[0].subarray(2))).toEqual([0, 2]);
    });

    test('the ReLU gradient matches', async () => {
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tensor([300], 43))))(tensor([300], 42, { specials: true }))), 0);
    });

    test('second derivatives through the one-pass ReLU gradient match', async () => {
      // d/dc of the ReLU gradient (c · step(x)) is step(x); d/dx of it is 0.
      const secondOrder = () => {
        const x = tensor([40], 44, { specials: true });
        const c = tensor([40], 45);
        const inner = (xs: tf.Tensor, cs: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.relu(y), cs)))(xs);
        return tf.grads((xs: tf.Tensor, cs: tf.Tensor) => tf.sum(inner(xs, cs)))([x, c]);
      };
      expectSameOutputs(await onBoth(secondOrder), 0);
    });

    test('int32 inputs fall back to the cpu kernels', async () => {
      expectSameOutputs(await onBoth(() => [tf.relu(tf.tensor1d([-3, 0, 4], 'int32')), tf.step(tf.tensor1d([-3, 0, 4], 'int32'))]), 0);
    });
  });

  describe('Neg, Square, Exp, Erf (WebAssembly SIMD)', () => {
    const edges = Float32Array.of(
      0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40, 1e-8, -1e-8, 0.5, -0.5, 1, -1, 3.9, -3.9, 10, -10,
      88.7, 88.72, 88.73, 89, 100, -87.3, -87.4, -90, -100, -103.9, -104, -110, 3.4e38, -3.4e38,
    );
    const inputs = () => [tf.tensor1d(edges), tensor([CHUNK + 7], 70, { scale: 12, specials: true }), tensor([5, 3], 71, { scale: 3 })];

    test('Neg and Square are bit-identical', async () => {
      for (const op of [tf.neg, tf.square]) expectSameOutputs(await onBoth(() => inputs().map((x) => op(x))), 0);
    });

    test('Exp is within 2 ulp of the cpu kernel (Math.exp), with its overflow to Infinity, denormals and NaN', async () => {
      expectSameOutputs(await onBoth(() => inputs().map((x) => tf.exp(x))), 2.5e-7);
      const { fast } = await onBoth(() => tf.exp(tf.tensor1d([89, -110, -100, Number.NaN, Number.NEGATIVE_INFINITY, 0])));
      expect(Array.from(fast.values[0])).toEqual([Number.POSITIVE_INFINITY, 0, expect.closeTo(Math.fround(Math.exp(-100)), 46), Number.NaN, 0, 1]);
    });

    test('Erf is within 5e-7 of the cpu kernel (the same Abramowitz-Stegun formula, in float32), keeps ±0 and NaN', async () => {
      expectSameOutputs(await onBoth(() => inputs().map((x) => tf.erf(x))), 5e-7);
      const { fast } = await onBoth(() => tf.erf(tf.tensor1d([0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])));
      expect(Object.is(fast.values[0][0], 0) && Object.is(fast.values[0][1], -0)).toBe(true);
      expect(Array.from(fast.values[0].subarray(2))).toEqual([Number.NaN, 1, -1]);
    });

    test('GELU and its gradient (erf, exp, square, neg inside) match the cpu backend', async () => {
      const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
      expectSameOutputs(await onBoth(() => [gelu(tensor([64, 33], 72, { scale: 4 })), tf.grad((x: tf.Tensor) => tf.sum(gelu(x)))(tensor([64, 33], 72, { scale: 4 }))]), 1e-6);
    });

    test('int32 inputs fall back to the cpu kernels', async () => {
      const x = () => tf.tensor1d([-3, 0, 4], 'int32');
      expectSameOutputs(await onBoth(() => [tf.neg(x()), tf.square(x()), tf.exp(x()), tf.erf(x())]), 0);
    });
  });

  describe('Sum', () => {
    test.each([
      ['axis 0 of a matrix (the bias gradient)', [128, 256], [0], false],
      ['axis 1 of a matrix', [128, 10], [1], false],
      ['keepDims', [128, 10], [1], true],
      ['every axis', [4, 5, 6], [0, 1, 2], false],
      ['a middle axis', [4, 5, 6], [1], false],
      ['two leading axes', [4, 5, 6], [0, 1], true],
      ['two trailing axes', [4, 5, 6], [1, 2], false],
      ['non-contiguous axes (cpu fallback)', [4, 5, 6], [0, 2], false],
      ['size-1 axes between', [4, 1, 6], [0, 2], false],
      ['rows longer than half a chunk (JavaScript loop)', [3, CHUNK / 2 + 9], [0], false],
      ['many rows, several chunks', [CHUNK / 8 + 3, 40], [0], false],
      ['no axes', [3, 4], [], false],
      ['empty', [0, 4], [0], false],
    ] as const)('%s: bit-identical, NaN and infinities included', async (_name, shape, axes, keepDims) => {
      expectSameOutputs(await onBoth(() => tf.sum(tensor([...shape], 50, { specials: true }), [...axes], keepDims)), 0);
    });

    test('int32 sums fall back to the cpu kernel', async () => {
      expectSameOutputs(await onBoth(() => tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0)), 0);
    });

    test('the gradient of a sum matches', async () => {
      expectSameOutputs(await onBoth(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.sum(x, [0, 1]))))(tensor([3, 4, 5], 51))), 0);
    });
  });

  test('a whole MLP training step (forward, loss, gradients) matches the cpu backend', async () => {
    const step = () => {
      const x = tensor([32, 20], 60);
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 5), 'int32'), 5);
      const w1 = tensor([20, 16], 61, { scale: 0.3 });
      const b1 = tensor([16], 62, { scale: 0.1 });
      const w2 = tensor([16, 5], 63, { scale: 0.3 });
      const b2 = tensor([5], 64, { scale: 0.1 });
      const variables = [w1, b1, w2, b2].map((t) => tf.variable(t));
      const [v1, c1, v2, c2] = variables;
      const { value, grads } = tf.variableGrads(() => {
        const hidden = tf.fused.matMul({ a: x as tf.Tensor2D, b: v1 as tf.Tensor2D, bias: c1, activation: 'relu' });
        const logits = tf.fused.matMul({ a: hidden, b: v2 as tf.Tensor2D, bias: c2 });
        return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      }, variables);
      const out = [value, ...variables.map((v) => grads[v.name])];
      variables.forEach((v) => v.dispose());
      return out;
    };
    expectSameOutputs(await onBoth(step), 1e-5);
  });

  test('dataSync returns a copy: changing it does not change the tensor', async () => {
    await tf.setBackend('fast-cpu');
    const t = tf.tensor1d([1, 2, 3]);
    (t.dataSync() as Float32Array)[0] = 99;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    t.dispose();
  });
});
