import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.ts';
import { seededValues } from './fixtures/testUtils.ts';
import { uninstallWasmMatMulFix, installWasmMatMulFix } from './wasmMatMulFix.ts';
const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
const run = (sa: number[], sb: number[], ta: boolean, tb: boolean) => tf.tidy(() => {
  const a = tf.tensor(seededValues(size(sa), 'a'), sa); const b = tf.tensor(seededValues(size(sb), 'b'), sb);
  const o = tf.matMul(a, b, ta, tb); return { shape: o.shape, v: Float32Array.from(o.dataSync()) };
});
const cases: [number[], number[], boolean, boolean][] = [
  [[3, 5, 7], [7, 4], false, false], [[3, 5, 7], [1, 7, 4], false, false], [[1, 5, 7], [3, 7, 4], false, false],
  [[3, 7, 5], [7, 4], true, false], [[3, 5, 7], [4, 7], false, true], [[2, 1, 5, 7], [1, 3, 7, 4], false, false],
];
for (const fix of [false, true]) {
  for (const [sa, sb, ta, tb] of cases) {
    await initBackend({ name: 'cpu' }); const c = run(sa, sb, ta, tb);
    await initBackend({ name: 'wasm' }); if (!fix) uninstallWasmMatMulFix(); else installWasmMatMulFix();
    let w; try { w = run(sa, sb, ta, tb); } catch (e) { console.log('fix', fix, JSON.stringify(sa), JSON.stringify(sb), 'ERR', String(e).slice(0, 100)); continue; }
    let e = 0; for (let i = 0; i < c.v.length; i++) e = Math.max(e, Math.abs(c.v[i] - w.v[i]));
    console.log('fix', fix, JSON.stringify(sa), JSON.stringify(sb), ta, tb, JSON.stringify(c.shape), JSON.stringify(w.shape), e.toExponential(2));
  }
}
