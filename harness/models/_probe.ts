import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.ts';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from './wasmMatMulFix.ts';
console.log(await initBackend());
function bench(sa: number[], sb: number[], ta: boolean, tb: boolean, reps = 20) {
  const a = tf.randomNormal(sa); const b = tf.randomNormal(sb);
  tf.matMul(a, b, ta, tb).dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) { const c = tf.matMul(a, b, ta, tb); c.dataSync(); c.dispose(); }
  const t = (performance.now() - t0) / reps; a.dispose(); b.dispose(); return t;
}
const cases: [number[], number[], boolean, boolean][] = [
  [[128, 784], [784, 256], false, false],
  [[128, 256], [784, 256], false, true],
  [[128, 784], [128, 256], true, false],
  [[784, 128], [256, 784], true, true],
  [[256, 16, 16], [256, 16, 16], false, false],
  [[256, 16, 16], [256, 16, 16], false, true],
  [[256, 16, 16], [256, 16, 16], true, false],
  [[8, 128, 64], [8, 128, 64], false, true],
  [[8, 128, 64], [8, 128, 64], true, false],
];
for (const [sa, sb, ta, tb] of cases) {
  uninstallWasmMatMulFix(); const slow = bench(sa, sb, ta, tb);
  installWasmMatMulFix(); const fast = bench(sa, sb, ta, tb);
  console.log(JSON.stringify(sa), JSON.stringify(sb), ta, tb, slow.toFixed(3), fast.toFixed(3), (slow / fast).toFixed(2));
}
console.log(tf.memory());
