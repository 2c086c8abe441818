import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.ts';
import { createMlp } from './mlp.ts';
import { trainClassifier } from './train.ts';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from './wasmMatMulFix.ts';
import type { Split } from '../types.ts';
await initBackend({ name: (process.env.B as any) ?? 'wasm' });
const n = 6400;
const mk = (name: any, count: number): Split => {
  const f = new Float32Array(count * 784); for (let i = 0; i < f.length; i++) f[i] = Math.random();
  const l = new Uint8Array(count); for (let i = 0; i < count; i++) l[i] = i % 10;
  return { name, count, featureShape: [784], numClasses: 10, features: f, labels: l };
};
const data = { train: mk('train', n), validation: mk('validation', 1000) };
for (const depth of [2, 4, 8]) for (const fix of [false, true]) {
  if (fix) installWasmMatMulFix(); else uninstallWasmMatMulFix();
  const m = createMlp({ inputSize: 784, width: 256, depth, numClasses: 10, activation: 'relu', seed: 1 });
  const r = await trainClassifier(m, data, { epochs: 1, batchSize: 128, learningRate: 1e-3, seed: 1 });
  console.log(`d=${depth} fix=${fix} ${r.stats.examplesPerSecond.toFixed(0)} ex/s`, r.status);
  if (r.status === 'ok') r.model.dispose(); else m.dispose();
}
console.log(tf.memory());
