import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '../random.ts';

/**
 * A trainable float32 variable of `shape` holding `values` (row-major; `values.length` must equal the shape's
 * product). The variable shares the initial tensor's buffer, so no copy is kept.
 *
 * @example
 * const bias = variableFrom(uniform(256, 1 / Math.sqrt(784), seed), [256]);
 */
export function variableFrom(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape, 'float32');
  // The variable shares the initial tensor's buffer (reference counted); free the plain tensor's handle.
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}

/**
 * `count` values drawn uniformly from [-bound, bound) by the seeded generator of harness/random.ts: PyTorch's
 * nn.Linear initialisation with bound 1/sqrt(fan_in) (He et al. 2015's kaiming_uniform with a = sqrt(5)).
 *
 * @example
 * uniform(3, 0.5, 1) // Float32Array of 3 values in [-0.5, 0.5), the same for the same seed
 */
export function uniform(count: number, bound: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (2 * random() - 1) * bound;
  return values;
}
