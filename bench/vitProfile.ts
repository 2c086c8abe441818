/**
 * Time and kernel profile of ViT training steps (torch_bench.py's TinyVit, batch 128, random data), to find
 * where a step spends its time on a backend.
 *
 *   flock /tmp/hypotest-heavy.lock npx tsx bench/vitProfile.ts [--backend fast-cpu] [--steps 5] [--profile]
 *
 * Prints milliseconds per step and examples/s; with `--profile`, the kernels of one more step by total time.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createAdamW } from '../harness/models/adamw.ts';
import { initBackend, parseBackendEnv } from '../harness/models/backend.ts';
import { meanCrossEntropy } from '../harness/models/train.ts';
import { createVit } from '../harness/models/vit.ts';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'fast-cpu' }, steps: { type: 'string', default: '5' }, profile: { type: 'boolean', default: false } } });
const backend = await initBackend({ name: parseBackendEnv(values.backend) });
const vit = createVit({ imageShape: [28, 28], patchSize: 7, width: 64, depth: 2, heads: 4, mlpWidth: 128, numClasses: 10, seed: 0 });
const optimizer = createAdamW(vit.parameters, { learningRate: 1e-3 });
const x = tf.randomUniform([128, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
const y = tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 2) as tf.Tensor1D, 10), 'float32')) as tf.Tensor2D;
const variables = vit.parameters.map((p) => p.variable);
const step = () => {
  const { value, grads } = tf.variableGrads(() => meanCrossEntropy(vit.logits(x), y), variables);
  value.dataSync();
  optimizer.step(grads);
  tf.dispose([value, grads]);
};
for (let i = 0; i < 3; i++) step();
const steps = Number(values.steps);
const startedAt = performance.now();
for (let i = 0; i < steps; i++) step();
const milliseconds = (performance.now() - startedAt) / steps;
console.log(`${backend.name}: ${milliseconds.toFixed(1)} ms per step, ${Math.round(128_000 / milliseconds)} examples/s, ${tf.memory().numTensors} tensors`);
if (values.profile) {
  const info = await tf.profile(() => {
    step();
    return tf.scalar(0);
  });
  const byKernel = new Map<string, { milliseconds: number; calls: number }>();
  for (const kernel of info.kernels) {
    const entry = byKernel.get(kernel.name) ?? { milliseconds: 0, calls: 0 };
    entry.milliseconds += Number(kernel.kernelTimeMs) || 0;
    entry.calls += 1;
    byKernel.set(kernel.name, entry);
  }
  const total = [...byKernel.values()].reduce((sum, e) => sum + e.milliseconds, 0);
  for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].milliseconds - a[1].milliseconds).slice(0, 30)) {
    console.log(`${name.padEnd(28)} ${e.milliseconds.toFixed(1).padStart(8)} ms ${((100 * e.milliseconds) / total).toFixed(1).padStart(5)}%  ${e.calls} calls`);
  }
  console.log(`total kernel time ${total.toFixed(1)} ms`);
}
