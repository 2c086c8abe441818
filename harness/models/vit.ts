import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { deriveSeed } from '../random.ts';
import type { Classifier, Parameter } from './classifier.ts';
import { uniform, variableFrom } from './initialisers.ts';
import { FAST_CPU_BACKEND } from './fastCpu/constants.ts';
import { fusedLayerNorm } from './fastCpu/layerNorm.ts';
import { gelu } from './mlp.ts';

/**
 * The epsilon of every LayerNorm of a {@link Vit}: PyTorch's `nn.LayerNorm` default, also the default of
 * `nn.TransformerEncoderLayer(layer_norm_eps=1e-5)`.
 */
export const VIT_LAYER_NORM_EPSILON = 1e-5;

/** Everything that defines a {@link Vit}; with the same args the initial weights are bit-identical. */
export interface VitArgs {
  /**
   * Shape of one example as the split stores it: `[height, width]` (grayscale, e.g. `[28, 28]`) or
   * `[height, width, channels]` (channels last, e.g. `[32, 32, 3]`). Height and width must be multiples of
   * `patchSize`.
   */
  readonly imageShape: readonly number[];
  /** Side of the square, non-overlapping patches, in pixels (7 for 16 patches of a 28x28 image). */
  readonly patchSize: number;
  /** Model width `d_model`: the size of every token. Positive integer, a multiple of `heads`. */
  readonly width: number;
  /** Number of transformer blocks (encoder layers). Positive integer. */
  readonly depth: number;
  /** Attention heads per block; each attends over `width / heads` dimensions. Positive integer. */
  readonly heads: number;
  /** Hidden units of each block's MLP (`dim_feedforward`). Positive integer. */
  readonly mlpWidth: number;
  /** Output classes (logits per example). Integer of at least 2. */
  readonly numClasses: number;
  /** Run seed; every parameter draws from its own stream, `deriveSeed(seed, 'vit/<parameter>')`. */
  readonly seed: number;
}

/** A vision transformer as returned by {@link createVit}. */
export interface Vit extends Classifier {
  readonly args: VitArgs;
  /** Patches per image (`(height / patchSize) * (width / patchSize)`), i.e. tokens per sequence. */
  readonly tokens: number;
}

/** The parameters of one transformer block (pre-norm encoder layer). */
interface Block {
  readonly norm1Gain: tf.Variable;
  readonly norm1Offset: tf.Variable;
  /** `[width, 3 * width]`: the query, key and value projections side by side (PyTorch's `in_proj_weight`, transposed). */
  readonly inWeight: tf.Variable;
  readonly inBias: tf.Variable;
  readonly outWeight: tf.Variable;
  readonly outBias: tf.Variable;
  readonly norm2Gain: tf.Variable;
  readonly norm2Offset: tf.Variable;
  readonly mlp1Weight: tf.Variable;
  readonly mlp1Bias: tf.Variable;
  readonly mlp2Weight: tf.Variable;
  readonly mlp2Bias: tf.Variable;
}

/**
 * Builds a small vision transformer, the model of `shared/anchors/torch_bench.py`'s `TinyVit` (with its
 * arguments: 28x28 images, `patchSize` 7, `width` 64, `heads` 4, `depth` 2, `mlpWidth` 128):
 *
 * ```
 * patches  = image cut into (H/p)·(W/p) patches of p·p·C values, row-major over patches, each patch
 *            row-major over its pixels (channels innermost)        torch_bench: reshape/permute/reshape
 * h        = patches · We + be + position                         nn.Linear(p·p·C, width) + nn.Parameter
 * depth x: h = h + MHA(LN1(h));  h = h + W2 · GELU(W1 · LN2(h))   nn.TransformerEncoderLayer(norm_first=True,
 *                                                                  activation='gelu', dropout=0)
 * logits   = Wh · mean_tokens(LN(h)) + bh                          nn.LayerNorm, mean(dim=1), nn.Linear
 * ```
 *
 * Multi-head attention follows `F.multi_head_attention_forward` of PyTorch 1.13: one packed input projection to
 * queries, keys and values (`width` columns each, heads side by side), queries scaled by `1/sqrt(width/heads)`
 * before the product with the keys, softmax over keys, then the output projection. GELU is the exact (erf)
 * form ({@link gelu}); every LayerNorm has epsilon {@link VIT_LAYER_NORM_EPSILON} and uses the biased variance.
 *
 * Initialisation, as PyTorch 1.13 does it for those modules (values come from seedrandom on the JavaScript side,
 * so they do not depend on the backend; matrices are stored `[fan_in, fan_out]`, the transpose of PyTorch's):
 * - every `nn.Linear` (patch embedding, attention output projection, both MLP layers, head): weight and bias
 *   uniform on `[-1/sqrt(fan_in), 1/sqrt(fan_in))` (`kaiming_uniform_(a=sqrt(5))`), except that
 *   `nn.MultiheadAttention` sets the output projection's bias to 0;
 * - the packed input projection (`in_proj_weight`, `[3·width, width]`): `xavier_uniform_`, uniform on
 *   `±sqrt(6 / (width + 3·width))` over the whole matrix; its bias 0;
 * - the positions: zeros, as `torch_bench.py` creates them (`nn.Parameter(torch.zeros(1, 16, d_model))`),
 *   stored `[tokens, width]`;
 * - LayerNorm gains 1, offsets 0;
 * - `nn.TransformerEncoder` deep-copies one layer `depth` times, so every block starts from the same weights:
 *   the blocks' parameters are drawn once and copied into each block (they train apart).
 *
 * Parameter roles: the matrices are `weight` (decayed by weight decay); biases, LayerNorm gains and offsets and
 * the positions are `bias` (decayed only with `decayBiases: true`).
 *
 * Attention stays in 4-D tensors (`[heads, batch, tokens, width/heads]`): 5-D transposes are pathological on
 * tfjs's wasm backend. Patches are cut with one `gather` along the feature axis (no 5-D transpose either).
 *
 * @throws {ModelError} when a size is not a positive integer, the image is not a multiple of the patch size,
 *   `width` is not a multiple of `heads`, `numClasses < 2` or the seed is not finite.
 * @example
 * const vit = createVit({ imageShape: [28, 28], patchSize: 7, width: 64, depth: 2, heads: 4, mlpWidth: 128, numClasses: 10, seed: 1 });
 * const logits = vit.logits(x); // x: [batch, 784] → [batch, 10]
 */
export function createVit(args: VitArgs): Vit {
  validate(args);
  const { imageShape, patchSize, width, depth, heads, mlpWidth, numClasses, seed } = args;
  const [height, imageWidth] = imageShape;
  const channels = imageShape.length === 3 ? imageShape[2] : 1;
  const inputSize = height * imageWidth * channels;
  const patchValues = patchSize * patchSize * channels;
  const tokens = (height / patchSize) * (imageWidth / patchSize);
  const headSize = width / heads;

  const parameters: Parameter[] = [];
  const add = (name: string, values: Float32Array, shape: number[], role: Parameter['role']): tf.Variable => {
    const variable = variableFrom(values, shape);
    parameters.push({ name, variable, role });
    return variable;
  };
  const stream = (name: string) => deriveSeed(seed, `vit/${name}`);
  const linearBound = (fanIn: number) => 1 / Math.sqrt(fanIn);

  const embedWeight = add('embed/weight', uniform(patchValues * width, linearBound(patchValues), stream('embed/weight')), [patchValues, width], 'weight');
  const embedBias = add('embed/bias', uniform(width, linearBound(patchValues), stream('embed/bias')), [width], 'bias');
  const position = add('position', new Float32Array(tokens * width), [tokens, width], 'bias');

  // Drawn once: nn.TransformerEncoder deep-copies the same initialised layer into every block.
  const blockInitial = {
    inWeight: uniform(width * 3 * width, Math.sqrt(6 / (width + 3 * width)), stream('block/attention/in-weight')),
    outWeight: uniform(width * width, linearBound(width), stream('block/attention/out-weight')),
    mlp1Weight: uniform(width * mlpWidth, linearBound(width), stream('block/mlp-1/weight')),
    mlp1Bias: uniform(mlpWidth, linearBound(width), stream('block/mlp-1/bias')),
    mlp2Weight: uniform(mlpWidth * width, linearBound(mlpWidth), stream('block/mlp-2/weight')),
    mlp2Bias: uniform(width, linearBound(mlpWidth), stream('block/mlp-2/bias')),
  };
  const ones = () => new Float32Array(width).fill(1);
  const blocks: Block[] = [];
  for (let b = 0; b < depth; b++) {
    const name = (part: string) => `block-${b}/${part}`;
    blocks.push({
      norm1Gain: add(name('norm-1/gain'), ones(), [width], 'bias'),
      norm1Offset: add(name('norm-1/offset'), new Float32Array(width), [width], 'bias'),
      inWeight: add(name('attention/in-weight'), blockInitial.inWeight.slice(), [width, 3 * width], 'weight'),
      inBias: add(name('attention/in-bias'), new Float32Array(3 * width), [3 * width], 'bias'),
      outWeight: add(name('attention/out-weight'), blockInitial.outWeight.slice(), [width, width], 'weight'),
      outBias: add(name('attention/out-bias'), new Float32Array(width), [width], 'bias'),
      norm2Gain: add(name('norm-2/gain'), ones(), [width], 'bias'),
      norm2Offset: add(name('norm-2/offset'), new Float32Array(width), [width], 'bias'),
      mlp1Weight: add(name('mlp-1/weight'), blockInitial.mlp1Weight.slice(), [width, mlpWidth], 'weight'),
      mlp1Bias: add(name('mlp-1/bias'), blockInitial.mlp1Bias.slice(), [mlpWidth], 'bias'),
      mlp2Weight: add(name('mlp-2/weight'), blockInitial.mlp2Weight.slice(), [mlpWidth, width], 'weight'),
      mlp2Bias: add(name('mlp-2/bias'), blockInitial.mlp2Bias.slice(), [width], 'bias'),
    });
  }
  const normGain = add('norm/gain', ones(), [width], 'bias');
  const normOffset = add('norm/offset', new Float32Array(width), [width], 'bias');
  const headWeight = add('head/weight', uniform(width * numClasses, linearBound(width), stream('head/weight')), [width, numClasses], 'weight');
  const headBias = add('head/bias', uniform(numClasses, linearBound(width), stream('head/bias')), [numClasses], 'bias');
  // Not a parameter: the feature index of every patch value, in patch order.
  const patchOrder = tf.keep(tf.tensor1d(patchIndices(height, imageWidth, channels, patchSize), 'int32'));
  const queryScale = 1 / Math.sqrt(headSize);
  let disposed = false;

  return {
    args: { ...args, imageShape: [...imageShape] },
    inputSize,
    numClasses,
    tokens,
    parameters,
    logits(features: tf.Tensor2D): tf.Tensor2D {
      if (disposed) throw new ModelError('Vit.logits: the model was disposed. Create a new one.');
      if (features.rank !== 2 || features.shape[1] !== inputSize) {
        throw new ModelError(`Vit.logits: features must be [batch, ${inputSize}], got [${features.shape.join(', ')}]. Flatten each image row-major (channels last).`);
      }
      return tf.tidy(() => {
        const batch = features.shape[0];
        const rows = batch * tokens;
        const patches = tf.reshape(tf.gather(features, patchOrder, 1), [rows, patchValues]) as tf.Tensor2D;
        // [batch·tokens, width] throughout, except inside attention.
        let h = tf.reshape(tf.add(tf.reshape(linear(patches, embedWeight, embedBias), [batch, tokens, width]), position), [rows, width]) as tf.Tensor2D;
        for (const block of blocks) {
          const normed = layerNorm(h, block.norm1Gain as tf.Tensor1D, block.norm1Offset as tf.Tensor1D);
          // [3·heads, batch, tokens, headSize]: queries, keys and values are then contiguous blocks (a split without
          // copies), and attention runs batched over [heads, batch].
          const packed = tf.transpose(tf.reshape(linear(normed, block.inWeight, block.inBias), [batch, tokens, 3 * heads, headSize]), [2, 0, 1, 3]);
          const [queries, keys, values] = tf.split(packed, 3, 0);
          const scores = tf.matMul(tf.mul(queries, queryScale), keys, false, true);
          const mixed = tf.matMul(tf.softmax(scores), values);
          const attended = tf.reshape(tf.transpose(mixed, [1, 2, 0, 3]), [rows, width]) as tf.Tensor2D;
          h = tf.add(h, linear(attended, block.outWeight, block.outBias));
          const hidden = gelu(linear(layerNorm(h, block.norm2Gain as tf.Tensor1D, block.norm2Offset as tf.Tensor1D), block.mlp1Weight, block.mlp1Bias));
          h = tf.add(h, linear(hidden, block.mlp2Weight, block.mlp2Bias));
        }
        const pooled = tf.mean(tf.reshape(layerNorm(h, normGain as tf.Tensor1D, normOffset as tf.Tensor1D), [batch, tokens, width]), 1);
        return linear(pooled as tf.Tensor2D, headWeight, headBias);
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of parameters) p.variable.dispose();
      patchOrder.dispose();
    },
  };
}

/**
 * Layer normalisation over the last axis of `[rows, features]` (Ba, Kiros and Hinton 2016; PyTorch
 * `nn.LayerNorm`): `(x − mean) / sqrt(var + epsilon) · gain + offset`, with the biased variance (divided by
 * `features`). Inside `tf.tidy`; differentiable. On the fast-cpu backend it is one fused kernel (and one for its
 * gradients) computing the same formula per row in double precision ({@link fusedLayerNorm}).
 * @example layerNorm(tf.tensor2d([[1, 3]]), tf.ones([2]), tf.zeros([2])) // ≈ [[-1, 1]]
 */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, offset: tf.Tensor1D, epsilon = VIT_LAYER_NORM_EPSILON): tf.Tensor2D {
  if (tf.getBackend() === FAST_CPU_BACKEND && x.dtype === 'float32' && gain.dtype === 'float32' && offset.dtype === 'float32' && x.rank === 2 && gain.size === x.shape[1] && offset.size === x.shape[1]) {
    return fusedLayerNorm(x, gain, offset, epsilon);
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalised, gain), offset) as tf.Tensor2D;
  });
}

/**
 * For a flattened image `[height, width, channels]` (row-major, channels last), the feature index of each value
 * of each patch: patches row-major over the grid, each patch row-major over its pixels, channels innermost.
 * For a 28x28 image and patches of 7 this is `torch_bench.py`'s
 * `x.reshape(-1, 4, 7, 4, 7).permute(0, 1, 3, 2, 4).reshape(-1, 16, 49)`.
 * @example patchIndices(2, 2, 1, 1) // [0, 1, 2, 3]
 */
export function patchIndices(height: number, width: number, channels: number, patchSize: number): Int32Array {
  const out = new Int32Array(height * width * channels);
  let i = 0;
  for (let pr = 0; pr < height / patchSize; pr++) {
    for (let pc = 0; pc < width / patchSize; pc++) {
      for (let r = 0; r < patchSize; r++) {
        for (let c = 0; c < patchSize; c++) {
          for (let ch = 0; ch < channels; ch++) out[i++] = ((pr * patchSize + r) * width + pc * patchSize + c) * channels + ch;
        }
      }
    }
  }
  return out;
}

function linear(x: tf.Tensor2D, weight: tf.Variable, bias: tf.Variable): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: weight as tf.Tensor2D, bias }) as tf.Tensor2D;
}

function validate(args: VitArgs): void {
  const integer = (name: string, value: unknown, minimum: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      throw new ModelError(`createVit: ${name} must be an integer of at least ${minimum}, got ${String(value)}. Fix the model arguments.`);
    }
  };
  if (!Array.isArray(args.imageShape) || (args.imageShape.length !== 2 && args.imageShape.length !== 3)) {
    throw new ModelError(`createVit: imageShape must be [height, width] or [height, width, channels], got ${JSON.stringify(args.imageShape)}. Pass the split's featureShape.`);
  }
  args.imageShape.forEach((size, i) => integer(`imageShape[${i}]`, size, 1));
  integer('patchSize', args.patchSize, 1);
  integer('width', args.width, 1);
  integer('depth', args.depth, 1);
  integer('heads', args.heads, 1);
  integer('mlpWidth', args.mlpWidth, 1);
  integer('numClasses', args.numClasses, 2);
  const [height, width] = args.imageShape;
  if (height % args.patchSize !== 0 || width % args.patchSize !== 0) {
    throw new ModelError(`createVit: the image (${height}x${width}) is not a whole number of ${args.patchSize}x${args.patchSize} patches. Choose a patchSize that divides both sides.`);
  }
  if (args.width % args.heads !== 0) {
    throw new ModelError(`createVit: width ${args.width} is not a multiple of heads ${args.heads}; each head attends over width / heads dimensions. Change one of them.`);
  }
  if (!Number.isFinite(args.seed)) throw new ModelError(`createVit: seed must be a finite number, got ${String(args.seed)}.`);
}
