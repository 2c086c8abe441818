import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.ts';
import { seededValues } from './fixtures/testUtils.ts';
import { uninstallWasmMatMulFix } from './wasmMatMulFix.ts';
const run = (activation: any, batch: number[], K: number) => tf.tidy(() => {
  const a = tf.tensor(seededValues(batch.reduce((x, y) => x * y, 1) * 5 * K, 'a'), [...batch, 5, K]);
  const b = tf.tensor(seededValues(batch.reduce((x, y) => x * y, 1) * K * 4, 'b'), [...batch, K, 4]);
  const bias = tf.tensor1d(seededValues(4, 'bias'));
  const alpha = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
  return Float32Array.from(tf.fused.matMul({ a, b, bias, activation, preluActivationWeights: activation === 'prelu' ? alpha : undefined, leakyreluAlpha: 0.3 }).dataSync());
});
await initBackend({ name: 'wasm' });
uninstallWasmMatMulFix();
for (const batch of [[], [3]]) for (const K of [20, 65]) for (const act of ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu', 'prelu']) {
  await initBackend({ name: 'cpu' }); const c = run(act, batch, K);
  await initBackend({ name: 'wasm' }); const w = run(act, batch, K);
  let e = 0; for (let i = 0; i < c.length; i++) e = Math.max(e, Math.abs(c[i] - w[i]));
  console.log(JSON.stringify(batch), K, act, e.toExponential(2));
}
