import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { HypotestError, ModelError } from '../errors.ts';
import type { Budget, EpochLog, ExperimentData, TrainContext } from '../types.ts';
import { initBackend } from './backend.ts';
import { blobData } from '../../bench/fixtures/testUtils.ts';
import { MissingSettingError, trainVit, VIT_REQUIRED_SETTINGS, type VitCellConfig } from './trainVit.ts';

/** Gaussian blobs of 64 features, seen as 8x8 images (4 patches of 4x4). */
function imageData(): ExperimentData {
  const data = blobData(64, 3, 96);
  return { train: { ...data.train, featureShape: [8, 8] }, validation: { ...data.validation, featureShape: [8, 8] } };
}
const data = imageData();
const architecture: VitCellConfig = { width: 8, depth: 1, heads: 2, mlpWidth: 16, patchSize: 4 };
const budget: Budget = { epochs: 3, batchSize: 16, learningRate: 1e-2 };

function context(config: VitCellConfig, budgetOverride: Budget = budget, trainData: ExperimentData = data, seed = 1) {
  const logs: EpochLog[] = [];
  const environment: Record<string, unknown> = {};
  const ctx: TrainContext<VitCellConfig> = {
    study: 'test', cell: 'vit', seed, profile: 'quick', config, budget: budgetOverride, data: trainData,
    onEpoch: (log) => logs.push(log),
    recordEnvironment: (info) => Object.assign(environment, info),
  };
  return { ctx, logs, environment };
}

async function fingerprintOf(config: VitCellConfig, budgetOverride: Budget = budget, seed = 1) {
  const outcome = await trainVit(context(config, budgetOverride, data, seed).ctx);
  if (outcome.status !== 'ok') throw new Error('diverged');
  const fingerprint = await outcome.model.fingerprint!();
  const predictions = await outcome.model.predict(data.validation.features, data.validation.count);
  outcome.model.dispose?.();
  return { fingerprint, predictions };
}

describe('trainVit', () => {
  beforeAll(async () => {
    await initBackend();
  }, 60_000);

  test('trains the configured ViT, learns, reports every epoch and records the backend, without leaking', async () => {
    const before = tf.memory().numTensors;
    const { ctx, logs, environment } = context(architecture, { ...budget, epochs: 6 });
    const outcome = await trainVit(ctx);
    expect(outcome.status).toBe('ok');
    expect(logs.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(logs[5].trainLoss).toBeLessThan(logs[0].trainLoss);
    expect(logs[5].validationAccuracy).toBeGreaterThan(0.9);
    expect(environment).toMatchObject({ backend: expect.any(String), backendVersion: expect.any(String) });
    expect(environment.examplesPerSecond).toBeGreaterThan(0);
    if (outcome.status === 'ok') {
      const probabilities = await outcome.model.predict(data.validation.features, data.validation.count);
      expect(probabilities.length).toBe(data.validation.count * 3);
      expect(probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
      for (let i = 0; i < data.validation.count; i++) expect(probabilities[3 * i] + probabilities[3 * i + 1] + probabilities[3 * i + 2]).toBeCloseTo(1, 5);
      outcome.model.dispose?.();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the same seed gives the same model; another seed, or a config that overrides the budget, does not', async () => {
    const a = await fingerprintOf(architecture);
    const b = await fingerprintOf(architecture);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    expect((await fingerprintOf(architecture, budget, 2)).fingerprint).not.toBe(a.fingerprint);
    expect((await fingerprintOf({ ...architecture, batchSize: 32 })).fingerprint).not.toBe(a.fingerprint);
    // Architecture in the budget instead of the config: the same model.
    expect((await fingerprintOf({}, { ...budget, ...architecture } as Budget)).fingerprint).toBe(a.fingerprint);
  });

  test('NaN features or an absurd learning rate end the run as diverged (model freed), not as an error', async () => {
    const before = tf.memory().numTensors;
    const features = Float32Array.from(data.train.features);
    features[7] = Number.NaN;
    const poisoned: ExperimentData = { ...data, train: { ...data.train, features } };
    const nan = await trainVit(context(architecture, budget, poisoned).ctx);
    expect(nan.status).toBe('diverged');
    if (nan.status === 'diverged') expect(nan.divergence).toMatchObject({ epoch: 1, loss: 'NaN', reason: expect.stringMatching(/training loss is NaN/) });
    const absurd = await trainVit(context({ ...architecture, learningRate: 1e30 }, { ...budget, epochs: 20 }).ctx);
    expect(absurd.status).toBe('diverged');
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(VIT_REQUIRED_SETTINGS.map((key) => [key]))('a missing %s is a MissingSettingError naming it', async (key) => {
    const full = { ...budget, ...architecture } as Record<string, unknown>;
    delete full[key];
    const { ctx } = context({}, full as unknown as Budget);
    const error = await trainVit(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingSettingError);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toBeInstanceOf(HypotestError);
    expect((error as MissingSettingError).setting).toBe(key);
    expect((error as Error).message).toMatch(new RegExp(`${key} is set neither in the cell's config nor in the study's budget`));
  });

  test('rejects settings of the wrong type and flattened images with a ModelError naming the field', async () => {
    await expect(trainVit(context({ ...architecture, heads: '2' as unknown as number }).ctx)).rejects.toThrow(/heads must be a number/);
    await expect(trainVit(context({ ...architecture, decayBiases: 1 as unknown as boolean }).ctx)).rejects.toThrow(/decayBiases must be a boolean/);
    await expect(trainVit(context(architecture, budget, blobData(64, 3, 30)).ctx)).rejects.toThrow(/imageShape/);
  });
});
