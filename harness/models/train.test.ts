import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelError } from '../errors.ts';
import type { Budget, EpochLog, ExperimentData, TrainContext } from '../types.ts';
import { initBackend } from './backend.ts';
import { blobData } from '../../bench/fixtures/testUtils.ts';
import { createMlp, type MlpArgs } from './mlp.ts';
import { evaluateClassifier, trainClassifier, weightsFingerprint, type TrainOptions } from './train.ts';
import { trainMlp, type MlpCellConfig } from './trainMlp.ts';
import { rejection } from '../../fixtures/testing.ts';

const data = blobData(12, 3, 96);
const mlpArgs: MlpArgs = { inputSize: 12, width: 16, depth: 2, numClasses: 3, activation: 'gelu', seed: 3 };
const options: TrainOptions = { epochs: 1, batchSize: 16, learningRate: 1e-2, seed: 3 };

async function trainOnce(args: MlpArgs, train: TrainOptions, trainData: ExperimentData = data) {
  const mlp = createMlp(args);
  const result = await trainClassifier(mlp, trainData, train);
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.divergence)}`);
  const predictions = result.model.predict(trainData.validation.features, trainData.validation.count);
  const fingerprint = result.model.fingerprint();
  result.model.dispose();
  return { fingerprint, predictions, result };
}

describe('trainClassifier', () => {
  beforeAll(async () => {
    await initBackend();
  });

  test('the same seed gives identical weights and predictions after an epoch; another seed does not', async () => {
    const a = await trainOnce(mlpArgs, options);
    const b = await trainOnce(mlpArgs, options);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    const c = await trainOnce({ ...mlpArgs, seed: 4 }, { ...options, seed: 4 });
    expect(c.fingerprint).not.toBe(a.fingerprint);
    // The data order alone (same initial weights) also changes the result.
    const d = await trainOnce(mlpArgs, { ...options, seed: 4 });
    expect(d.fingerprint).not.toBe(a.fingerprint);
  });

  test('learns a separable problem and reports a learning curve', async () => {
    const logs: EpochLog[] = [];
    const { predictions, result } = await trainOnce({ ...mlpArgs, activation: 'relu' }, { ...options, epochs: 5, onEpoch: (log) => logs.push(log) });
    expect(logs.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(logs[4].trainLoss).toBeLessThan(logs[0].trainLoss);
    expect(logs[4].validationAccuracy).toBeGreaterThan(0.9);
    expect(logs.every((l) => (l.seconds ?? -1) >= 0 && Number.isFinite(l.validationLoss))).toBe(true);
    expect(result.stats.history).toEqual(logs);
    expect(result.stats.steps).toBe(5 * Math.ceil(96 / 16));
    expect(result.stats.examplesPerSecond).toBeGreaterThan(0);
    // Probabilities: count x classes, rows sum to 1.
    expect(predictions.length).toBe(data.validation.count * 3);
    for (let i = 0; i < data.validation.count; i++) expect(predictions[3 * i] + predictions[3 * i + 1] + predictions[3 * i + 2]).toBeCloseTo(1, 5);
  });

  test('leaks no tensors: training, prediction, evaluation and dispose', async () => {
    const before = tf.memory().numTensors;
    const mlp = createMlp(mlpArgs);
    const result = await trainClassifier(mlp, data, { ...options, epochs: 2, weightDecay: 1e-2, l2: 1e-3, decayBiases: true });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    // Only the model's variables remain while it lives.
    expect(tf.memory().numTensors - before).toBe(mlp.parameters.length);
    result.model.predict(data.validation.features, data.validation.count);
    evaluateClassifier(mlp, data.validation);
    result.model.fingerprint();
    expect(tf.memory().numTensors - before).toBe(mlp.parameters.length);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('NaN features end the run as diverged at the first step, without throwing or leaking', async () => {
    const features = Float32Array.from(data.train.features);
    features[5] = Number.NaN;
    const poisoned: ExperimentData = { ...data, train: { ...data.train, features } };
    const before = tf.memory().numTensors;
    const mlp = createMlp(mlpArgs);
    const result = await trainClassifier(mlp, poisoned, { ...options, epochs: 3 });
    expect(result.status).toBe('diverged');
    if (result.status !== 'diverged') return;
    expect(result.divergence).toMatchObject({ epoch: 1, loss: 'NaN' });
    expect(result.divergence.step).toBeGreaterThanOrEqual(1);
    expect(result.divergence.step).toBeLessThanOrEqual(6);
    expect(result.divergence.reason).toMatch(/training loss is NaN/);
    expect(JSON.parse(JSON.stringify(result.divergence))).toEqual(result.divergence);
    mlp.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('an absurd learning rate ends the run as diverged, not as an error', async () => {
    const mlp = createMlp({ ...mlpArgs, activation: 'relu' });
    const result = await trainClassifier(mlp, data, { ...options, learningRate: 1e30, epochs: 20 });
    mlp.dispose();
    expect(result.status).toBe('diverged');
    if (result.status === 'diverged') expect(result.divergence.reason).toMatch(/loss is (NaN|infinite)/);
  });

  test('weight decay shrinks the weights (and leaves biases alone unless decayBiases)', async () => {
    const norms = async (train: Partial<TrainOptions>) => {
      const mlp = createMlp(mlpArgs);
      const result = await trainClassifier(mlp, data, { ...options, ...train });
      const out = mlp.parameters.map((p) => tf.tidy(() => tf.sum(tf.square(p.variable)).dataSync()[0]));
      if (result.status === 'ok') result.model.dispose();
      return out;
    };
    const plain = await norms({});
    const decayed = await norms({ weightDecay: 5 });
    const decayedWithBiases = await norms({ weightDecay: 5, decayBiases: true });
    expect(decayed[0]).toBeLessThan(plain[0]);
    expect(decayed[1]).toBeCloseTo(plain[1], 1);
    expect(decayedWithBiases[1]).toBeLessThan(plain[1]);
  });

  test('rejects data that does not fit the model and invalid options', async () => {
    const mlp = createMlp(mlpArgs);
    await expect(trainClassifier(mlp, blobData(10, 3, 30), options)).rejects.toThrow(ModelError);
    await expect(trainClassifier(mlp, blobData(12, 4, 30), options)).rejects.toThrow(/4 classes/);
    await expect(trainClassifier(mlp, data, { ...options, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(trainClassifier(mlp, data, { ...options, learningRate: -1 })).rejects.toThrow(/learningRate/);
    const frozen = await trainClassifier(mlp, data, options);
    if (frozen.status === 'ok') expect(() => frozen.model.predict(new Float32Array(5), 1)).toThrow(/12 features/);
    mlp.dispose();
  });

  test('fingerprint changes when the weights change', async () => {
    const mlp = createMlp(mlpArgs);
    const before = weightsFingerprint(mlp);
    const result = await trainClassifier(mlp, data, options);
    expect(result.status).toBe('ok');
    expect(weightsFingerprint(mlp)).not.toBe(before);
    mlp.dispose();
  });
});

describe('trainMlp', () => {
  function context(config: MlpCellConfig, budget: Budget, seed = 1) {
    const logs: EpochLog[] = [];
    const environment: Record<string, unknown> = {};
    const ctx: TrainContext<MlpCellConfig> = {
      study: 'test', cell: 'd2-relu', seed, profile: 'quick', config, budget, data,
      onEpoch: (log) => logs.push(log),
      recordEnvironment: (info) => Object.assign(environment, info),
    };
    return { ctx, logs, environment };
  }

  test('trains the configured MLP, reports every epoch and records the backend', async () => {
    const before = tf.memory().numTensors;
    const { ctx, logs, environment } = context({ depth: 1, activation: 'gelu', width: 8 }, { epochs: 2, batchSize: 32, learningRate: 1e-2 });
    const outcome = await trainMlp(ctx);
    expect(outcome.status).toBe('ok');
    expect(logs.map((l) => l.epoch)).toEqual([1, 2]);
    expect(environment).toMatchObject({ backend: expect.any(String), backendVersion: expect.any(String) });
    expect(environment.examplesPerSecond).toBeGreaterThan(0);
    if (outcome.status === 'ok') {
      expect((await outcome.model.predict(data.validation.features, data.validation.count)).length).toBe(data.validation.count * 3);
      outcome.model.dispose?.();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the same context gives the same model; config overrides budget', async () => {
    const run = async (config: MlpCellConfig, budget: Budget) => {
      const outcome = await trainMlp(context(config, budget).ctx);
      if (outcome.status !== 'ok') throw new Error('diverged');
      const fingerprint = await outcome.model.fingerprint!();
      outcome.model.dispose?.();
      return fingerprint;
    };
    const budget: Budget = { epochs: 1, batchSize: 32, width: 8 };
    const a = await run({ depth: 1, activation: 'relu' }, budget);
    expect(await run({ depth: 1, activation: 'relu' }, budget)).toBe(a);
    expect(await run({ depth: 1, activation: 'relu', batchSize: 16 }, budget)).not.toBe(a);
  });

  test('returns divergence (and frees the model) instead of throwing', async () => {
    const before = tf.memory().numTensors;
    const { ctx } = context({ depth: 1, activation: 'relu', width: 8, learningRate: 1e30 }, { epochs: 20 });
    const outcome = await trainMlp(ctx);
    expect(outcome.status).toBe('diverged');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a cell without depth or activation gets a ModelError naming the missing field, the study, the cell and the fix', async () => {
    const { ctx } = context({ width: 8 } as unknown as MlpCellConfig, { epochs: 1 });
    const error = await rejection(trainMlp(ctx));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("trainMlp (study 'test', cell 'd2-relu'): the cell's config has no depth and no activation");
    expect(error.message).toContain("Fix: add depth: 2, activation: 'relu' to cells['d2-relu'] in study.ts");
    expect(error.message).toContain('as const');
    const noActivation = await rejection(trainMlp(context({ depth: 2 } as unknown as MlpCellConfig, { epochs: 1 }).ctx));
    expect(noActivation.message).toContain("has no activation (");
    const badDepth = await rejection(trainMlp(context({ depth: 1.5, activation: 'relu' }, { epochs: 1 }).ctx));
    expect(badDepth.message).toContain('depth must be a positive integer (hidden layers), got 1.5');
    const badActivation = await rejection(trainMlp(context({ depth: 1, activation: 'tanh' as 'relu' }, { epochs: 1 }).ctx));
    expect(badActivation.message).toContain(`activation must be one of 'relu', 'gelu', got "tanh"`);
  });

  test('rejects settings of the wrong type with a ModelError naming the field', async () => {
    const { ctx } = context({ depth: 1, activation: 'relu', width: '8' as unknown as number }, { epochs: 1 });
    await expect(trainMlp(ctx)).rejects.toThrow(/width must be a number/);
  });
});
