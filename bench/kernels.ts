/**
 * Where a training step's time goes, kernel by kernel: `npm run bench:kernels -- [--backend fast-cpu]
 * [--depth 4] [--activation relu] [--steps 200]`. Runs the study MLP's training step (forward, softmax
 * cross-entropy, `tf.variableGrads`, AdamW) on random data of Fashion-MNIST's shape, with every kernel of the
 * backend wrapped in a timer (outermost calls only), and prints milliseconds per step: the kernels, the rest of
 * the forward and backward pass (tfjs's engine: tape, scopes, bookkeeping), and the optimizer step.
 * A diagnostic for developing the backends; `npm run bench` is the measurement.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { createAdamW } from '../harness/models/adamw.ts';
import { initBackend, parseBackendEnv } from '../harness/models/backend.ts';
import { createMlp, type MlpActivation } from '../harness/models/mlp.ts';
import { meanCrossEntropy } from '../harness/models/train.ts';
import { createRandom } from '../harness/random.ts';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string' },
    depth: { type: 'string', default: '4' },
    activation: { type: 'string', default: 'relu' },
    steps: { type: 'string', default: '200' },
  },
});
const depth = Number(args.depth);
const steps = Number(args.steps);
const activation = args.activation as MlpActivation;
const info = await initBackend(args.backend === undefined ? {} : { name: parseBackendEnv(args.backend) });
const backendName = tf.getBackend();

const times = new Map<string, { calls: number; ms: number }>();
let nesting = 0;
for (const config of tf.getKernelsForBackend(backendName)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (kernelArgs) => {
      nesting++;
      const startedAt = performance.now();
      try {
        return inner(kernelArgs);
      } finally {
        nesting--;
        if (nesting === 0) {
          const entry = times.get(config.kernelName) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - startedAt;
          times.set(config.kernelName, entry);
        }
      }
    },
  });
}

const random = createRandom(0);
const features = Float32Array.from({ length: 128 * 784 }, () => random());
const targets = new Float32Array(128 * 10);
for (let i = 0; i < 128; i++) targets[i * 10 + (i % 10)] = 1;
const mlp = createMlp({ inputSize: 784, width: 256, depth, numClasses: 10, activation, seed: 1 });
const optimizer = createAdamW(mlp.parameters, { learningRate: 1e-3 });
const variables = mlp.parameters.map((p) => p.variable);
const warmUp = 20;
let gradientMs = 0;
let optimizerMs = 0;
for (let step = 0; step < warmUp + steps; step++) {
  if (step === warmUp) {
    times.clear();
    gradientMs = 0;
    optimizerMs = 0;
  }
  const startedAt = performance.now();
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor2d(features, [128, 784]);
    const y = tf.tensor2d(targets, [128, 10]);
    return tf.variableGrads(() => meanCrossEntropy(mlp.logits(x), y), variables);
  });
  value.dataSync();
  const gradientsAt = performance.now();
  optimizer.step(grads);
  tf.dispose([value, grads]);
  gradientMs += gradientsAt - startedAt;
  optimizerMs += performance.now() - gradientsAt;
}
optimizer.dispose();
mlp.dispose();

const perStep = (ms: number) => (ms / steps).toFixed(3).padStart(7);
const kernelMs = [...times.values()].reduce((total, entry) => total + entry.ms, 0);
console.log(`${info.name}, depth ${depth}, ${activation}, batch 128, width 256: ms per step`);
console.log(`${perStep(gradientMs + optimizerMs)}  total`);
console.log(`${perStep(gradientMs)}  forward and backward, of which ${perStep(kernelMs).trim()} in kernels and ${perStep(gradientMs - kernelMs).trim()} in tfjs's engine`);
console.log(`${perStep(optimizerMs)}  AdamW step`);
for (const [name, entry] of [...times.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${perStep(entry.ms)}  ${name} (${entry.calls / steps} per step)`);
}
