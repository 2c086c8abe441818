import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelError } from '../errors.ts';
import { initBackend } from './backend.ts';
import { expectAllClose } from '../../bench/fixtures/testUtils.ts';
import reference from '../../bench/fixtures/vitReference.json' with { type: 'json' };
import { meanCrossEntropy, trainClassifier, weightsFingerprint } from './train.ts';
import { createVit, layerNorm, patchIndices, type Vit, type VitArgs } from './vit.ts';

/** torch_bench.py's TinyVit. */
const benchArgs: VitArgs = { imageShape: [28, 28], patchSize: 7, width: 64, depth: 2, heads: 4, mlpWidth: 128, numClasses: 10, seed: 0 };
/** The small TinyVit of fixtures/vitReference.py: TinyVit(d_model=8, heads=2, blocks=2, hidden=16). */
const smallArgs: VitArgs = { ...benchArgs, width: 8, heads: 2, mlpWidth: 16 };

type TorchTensors = Record<string, number[]>;

/** The PyTorch name of one of our parameters (see fixtures/vitReference.py). */
function torchName(name: string): string {
  const block = /^block-(\d+)\/(.*)$/.exec(name);
  const parts: Record<string, string> = {
    'attention/in-weight': 'self_attn.in_proj_weight',
    'attention/in-bias': 'self_attn.in_proj_bias',
    'attention/out-weight': 'self_attn.out_proj.weight',
    'attention/out-bias': 'self_attn.out_proj.bias',
    'norm-1/gain': 'norm1.weight',
    'norm-1/offset': 'norm1.bias',
    'norm-2/gain': 'norm2.weight',
    'norm-2/offset': 'norm2.bias',
    'mlp-1/weight': 'linear1.weight',
    'mlp-1/bias': 'linear1.bias',
    'mlp-2/weight': 'linear2.weight',
    'mlp-2/bias': 'linear2.bias',
  };
  if (block !== null) return `encoder.layers.${block[1]}.${parts[block[2]]}`;
  return name.replace('/gain', '.weight').replace('/offset', '.bias').replace('/', '.');
}

/** PyTorch's values of one of our parameters, in our layout (Linear weights transposed to [in, out]). */
function fromTorch(vit: Vit, name: string, tensors: TorchTensors): Float32Array {
  const values = tensors[torchName(name)];
  const shape = vit.parameters.find((p) => p.name === name)!.variable.shape;
  if (shape.length === 2 && name !== 'position') {
    const [rows, columns] = shape;
    const out = new Float32Array(rows * columns);
    // PyTorch stores [columns, rows].
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[r * columns + c] = values[c * rows + r];
    return out;
  }
  return Float32Array.from(values);
}

function loadTorchWeights(vit: Vit): void {
  for (const p of vit.parameters) {
    tf.tidy(() => p.variable.assign(tf.tensor(fromTorch(vit, p.name, reference.params), p.variable.shape, 'float32')));
  }
}

const images = Float32Array.from(reference.pixels, (v) => v / 255);
const count = reference.labels.length;

describe('createVit', () => {
  beforeAll(async () => {
    await initBackend();
  }, 60_000);

  test('has torch_bench.py TinyVit parameters, in one-to-one correspondence with PyTorch, and 16 tokens', () => {
    const vit = createVit(benchArgs);
    expect(vit.tokens).toBe(16);
    expect(vit.inputSize).toBe(784);
    expect(vit.parameters.length).toBe(reference.names.length);
    expect(new Set(vit.parameters.map((p) => torchName(p.name)))).toEqual(new Set(reference.names));
    const count = vit.parameters.reduce((total, p) => total + p.variable.size, 0);
    // sum(p.numel() for p in TinyVit().parameters()) in PyTorch 1.13.
    expect(count).toBe(71_946);
    expect(vit.parameters.filter((p) => p.role === 'weight').map((p) => p.name)).toEqual([
      'embed/weight',
      'block-0/attention/in-weight',
      'block-0/attention/out-weight',
      'block-0/mlp-1/weight',
      'block-0/mlp-2/weight',
      'block-1/attention/in-weight',
      'block-1/attention/out-weight',
      'block-1/mlp-1/weight',
      'block-1/mlp-2/weight',
      'head/weight',
    ]);
    const logits = tf.tidy(() => vit.logits(tf.zeros([5, 784]) as tf.Tensor2D));
    expect(logits.shape).toEqual([5, 10]);
    logits.dispose();
    vit.dispose();
  });

  test('cuts patches as torch_bench.py does: reshape(-1, 4, 7, 4, 7).permute(0, 1, 3, 2, 4).reshape(-1, 16, 49)', () => {
    const order = patchIndices(28, 28, 1, 7);
    // patches[b, pr * 4 + pc, r * 7 + c] = image[b, pr * 7 + r, pc * 7 + c]
    for (const [pr, pc, r, c] of [[0, 0, 0, 0], [0, 1, 0, 0], [1, 2, 3, 4], [3, 3, 6, 6], [2, 0, 6, 1]]) {
      expect(order[(pr * 4 + pc) * 49 + r * 7 + c]).toBe((pr * 7 + r) * 28 + pc * 7 + c);
    }
    expect(new Set(order).size).toBe(784);
    // Channels last, channels innermost within a pixel.
    expect(Array.from(patchIndices(2, 2, 2, 1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(patchIndices(2, 4, 1, 2))).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
  });

  test('forward pass, loss and gradients match PyTorch on the same weights (fixtures/vitReference.py)', () => {
    const vit = createVit(smallArgs);
    loadTorchWeights(vit);
    const x = tf.tensor2d(images, [count, 784]);
    const targets = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(reference.labels, 'int32'), 10), 'float32')) as tf.Tensor2D;
    const logits = tf.tidy(() => vit.logits(x));
    expectAllClose(logits.dataSync(), reference.logits, 2e-5, 'logits');
    const { value, grads } = tf.variableGrads(() => meanCrossEntropy(vit.logits(x), targets), vit.parameters.map((p) => p.variable));
    expect(value.dataSync()[0]).toBeCloseTo(reference.loss, 5);
    for (const p of vit.parameters) {
      const expected = fromTorch(vit, p.name, reference.grads);
      // Gradients are O(0.1-1); float32 differences of order 1e-6 accumulate through two blocks.
      expectAllClose(grads[p.variable.name].dataSync(), expected, 5e-5, `grad ${p.name}`);
    }
    tf.dispose([x, targets, logits, value, grads]);
    vit.dispose();
  });

  test('two AdamW steps through trainClassifier match PyTorch (decay on matrices only)', async () => {
    const vit = createVit(smallArgs);
    loadTorchWeights(vit);
    const labels = Uint8Array.from(reference.labels);
    const split = { count, featureShape: [28, 28], numClasses: 10, features: images, labels };
    const losses: number[] = [];
    const result = await trainClassifier(
      vit,
      { train: { ...split, name: 'train' }, validation: { ...split, name: 'validation' } },
      // Full batch: one step per epoch, so the data order does not matter.
      { epochs: 2, batchSize: count, learningRate: reference.trained.learningRate, weightDecay: reference.trained.weightDecay, seed: 0, onEpoch: (log) => losses.push(log.trainLoss) },
    );
    expect(result.status).toBe('ok');
    expectAllClose(losses, reference.trained.losses, 1e-5, 'losses');
    const { learningRate } = reference.trained;
    for (const p of vit.parameters) {
      const actual = Array.from(p.variable.dataSync());
      const expected = Array.from(fromTorch(vit, p.name, reference.trained.params));
      if (p.name.endsWith('attention/in-bias')) {
        // The keys' bias adds the same q·b to every score of a row, which softmax ignores: its gradient is 0 up to
        // rounding noise, and Adam turns any noise into steps of about lr. Compare it only to within 2 steps.
        const keys = [smallArgs.width, 2 * smallArgs.width] as const;
        for (let i = keys[0]; i < keys[1]; i++) expect(Math.abs(actual[i] - expected[i]), `${p.name}[${i}]`).toBeLessThan(2.5 * learningRate);
        actual.splice(keys[0], smallArgs.width);
        expected.splice(keys[0], smallArgs.width);
      }
      expectAllClose(actual, expected, 1e-4, `trained ${p.name}`);
    }
    vit.dispose();
  });

  test('initialises as PyTorch does: same bounds, zeros and ones, and both blocks start equal', () => {
    const vit = createVit(benchArgs);
    const torchInit = reference.init.parameters as Record<string, { shape: number[]; min: number; max: number; mean: number; std: number }>;
    expect(reference.init.blocksEqual).toBe(true);
    for (const p of vit.parameters) {
      const expected = torchInit[torchName(p.name)];
      const values = p.variable.dataSync() as Float32Array;
      expect(values.length, p.name).toBe(expected.shape.reduce((a, b) => a * b, 1));
      const min = Math.min(...values);
      const max = Math.max(...values);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      if (expected.std === 0) {
        // Constants (zeros or ones) are exactly PyTorch's.
        expect([min, max], p.name).toEqual([expected.min, expected.max]);
        continue;
      }
      // Uniform on ±bound: the bound is PyTorch's (max within 3% of it), and the spread a uniform's
      // (std = bound / sqrt(3), within 5 standard errors of PyTorch's draw).
      const bound = Math.max(-expected.min, expected.max);
      expect(Math.max(-min, max), p.name).toBeLessThanOrEqual(bound * 1.03);
      expect(Math.max(-min, max), p.name).toBeGreaterThan(bound * 0.9);
      expect(Math.abs(std / expected.std - 1), p.name).toBeLessThan(5 * Math.sqrt(0.8 / values.length) + 0.02);
    }
    const block0 = vit.parameters.filter((p) => p.name.startsWith('block-0/'));
    for (const p of block0) {
      const twin = vit.parameters.find((q) => q.name === p.name.replace('block-0/', 'block-1/'))!;
      expect(Array.from(twin.variable.dataSync()), p.name).toEqual(Array.from(p.variable.dataSync()));
    }
    vit.dispose();
  });

  test('the same seed gives identical weights, another seed different ones', () => {
    const a = createVit(smallArgs);
    const b = createVit(smallArgs);
    const c = createVit({ ...smallArgs, seed: 1 });
    expect(weightsFingerprint(b)).toBe(weightsFingerprint(a));
    expect(weightsFingerprint(c)).not.toBe(weightsFingerprint(a));
    // Each parameter has its own stream: the embedding and head do not repeat each other's draws.
    expect(a.parameters[0].variable.dataSync()[0]).not.toBe(a.parameters.at(-2)!.variable.dataSync()[0]);
    for (const m of [a, b, c]) m.dispose();
  });

  test('gives valid probabilities and leaks no tensors; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const vit = createVit({ ...smallArgs, imageShape: [8, 8, 3], patchSize: 4, depth: 1, numClasses: 3 });
    expect(vit.tokens).toBe(4);
    const x = tf.randomUniform([6, 192], 0, 1, 'float32', 3) as tf.Tensor2D;
    const during = tf.memory().numTensors;
    const probabilities = tf.tidy(() => tf.softmax(vit.logits(x)));
    expect(tf.memory().numTensors).toBe(during + 1);
    const p = probabilities.dataSync();
    for (let i = 0; i < 6; i++) expect(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).toBeCloseTo(1, 5);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    tf.dispose([x, probabilities]);
    vit.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => vit.logits(tf.zeros([1, 192]) as tf.Tensor2D)).toThrow(/disposed/);
  });

  test('rejects features of the wrong size', () => {
    const vit = createVit(smallArgs);
    const x = tf.zeros([2, 100]) as tf.Tensor2D;
    expect(() => vit.logits(x)).toThrow(/\[batch, 784\]/);
    x.dispose();
    vit.dispose();
  });

  test.each([
    [{ imageShape: [784] }, /imageShape/],
    [{ imageShape: [28, 28.5] }, /imageShape\[1\]/],
    [{ patchSize: 5 }, /whole number of 5x5 patches/],
    [{ width: 9 }, /multiple of heads/],
    [{ heads: 0 }, /heads/],
    [{ depth: 0 }, /depth/],
    [{ mlpWidth: 2.5 }, /mlpWidth/],
    [{ numClasses: 1 }, /numClasses/],
    [{ seed: Number.NaN }, /seed/],
  ])('rejects bad arguments %o', (bad, message) => {
    expect(() => createVit({ ...smallArgs, ...(bad as Partial<VitArgs>) })).toThrow(ModelError);
    expect(() => createVit({ ...smallArgs, ...(bad as Partial<VitArgs>) })).toThrow(message);
  });
});

describe('layerNorm', () => {
  test('normalises each row with the biased variance, then scales and shifts', async () => {
    await initBackend();
    const out = tf.tidy(() => layerNorm(tf.tensor2d([[1, 3], [2, 2]]), tf.tensor1d([2, 1]), tf.tensor1d([0, 0.5])).dataSync());
    // Row 1: mean 2, variance 1: (±1) / sqrt(1 + 1e-5). Row 2: zero variance gives the offset.
    const scale = 1 / Math.sqrt(1 + 1e-5);
    expectAllClose(out, [-2 * scale, 0.5 + scale, 0, 0.5], 1e-6, 'layerNorm');
  });
});
