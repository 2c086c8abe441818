/**
 * Determinism of every arm family the harness ships (DESIGN.md: the same seed on the same backend gives identical
 * metrics and per-example predictions): the MLP (trainMlp), the ViT (trainVit) and XGBoost (trainXgboost), each trained
 * twice with the same seed on fixture-sized data and scored the way a cell scores a sealed split (predictSplit, then
 * evaluatePredictions and encodePredictions, the bytes a run record stores). Equality is exact: the metrics as numbers
 * and the encoded per-example predictions as strings. Another seed must change the predictions, so the check can fail.
 * Each run names its backend through `ctx.recordEnvironment`, which the cell copies into the record's
 * `environment.backend`, so cross-backend differences are visible in the records.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import reference from '../../fixtures/xgboost/reference.json';
import { blobData } from '../../bench/fixtures/testUtils.ts';
import { encodePredictions, evaluatePredictions } from '../metrics.ts';
import { experimentView, predictSplit } from '../seal.ts';
import type { Budget, EpochLog, ExperimentData, Split, TrainContext, TrainOutcome } from '../types.ts';
import { initBackend } from './backend.ts';
import { trainXgboost } from './gbt.ts';
import { trainMlp } from './trainMlp.ts';
import { trainVit } from './trainVit.ts';

interface Scored {
  backend: unknown;
  metrics: unknown;
  predictions: unknown;
  curve: EpochLog[];
}

/** Trains once with `seed` and scores the frozen model on `heldOut` as a cell scores a sealed split. */
async function trainAndScore(
  train: (ctx: TrainContext<Record<string, unknown>>) => Promise<TrainOutcome>,
  data: ExperimentData, heldOut: Split, config: Record<string, unknown>, budget: Budget, seed: number,
): Promise<Scored> {
  const environment: Record<string, unknown> = {};
  const curve: EpochLog[] = [];
  const outcome = await train({
    study: 'determinism', cell: 'arm', seed, profile: 'registered', config, budget, data,
    onEpoch: (log) => curve.push({ ...log }),
    recordEnvironment: (info) => Object.assign(environment, info),
  });
  if (outcome.status !== 'ok') throw new Error(`diverged: ${JSON.stringify(outcome)}`);
  try {
    const probabilities = await predictSplit(outcome.model, heldOut);
    const { metrics, examples } = evaluatePredictions(probabilities, heldOut.labels, heldOut.numClasses);
    return { backend: environment.backend, metrics, predictions: encodePredictions(examples, heldOut.labels), curve: curve.map(({ epoch, trainLoss, validationAccuracy }) => ({ epoch, trainLoss, validationAccuracy }) as EpochLog) };
  } finally {
    outcome.model.dispose?.();
  }
}

/** Two runs with the same seed are identical; a run with another seed predicts differently. */
async function expectDeterministic(run: (seed: number) => Promise<Scored>): Promise<void> {
  const first = await run(1);
  const second = await run(1);
  expect(typeof first.backend === 'string' && first.backend !== '').toBe(true);
  expect(second.backend).toBe(first.backend);
  expect(second.metrics).toEqual(first.metrics);
  expect(second.predictions).toEqual(first.predictions);
  expect(second.curve).toEqual(first.curve);
  const other = await run(2);
  expect(other.predictions).not.toEqual(first.predictions);
}

const blobs = blobData(64, 3, 96);
const heldOutBlobs = blobData(64, 3, 90).validation; // seed 2 blobs, as a held-out split of its own
const heldOut: Split = { ...heldOutBlobs, name: 'test' };

describe('the same seed on the same backend gives identical metrics and per-example predictions', () => {
  beforeAll(async () => {
    await initBackend();
  }, 60_000);

  test('MLP (trainMlp)', async () => {
    const data = experimentView(blobs.train, blobs.validation);
    await expectDeterministic((seed) => trainAndScore(trainMlp as never, data, heldOut,
      { depth: 2, activation: 'gelu', width: 16, weightDecay: 1e-3 }, { epochs: 2, batchSize: 16, learningRate: 1e-2 }, seed));
  }, 120_000);

  test('ViT (trainVit)', async () => {
    const image = (split: Split): Split => ({ ...split, featureShape: [8, 8] });
    const data = experimentView(image(blobs.train), image(blobs.validation));
    await expectDeterministic((seed) => trainAndScore(trainVit as never, data, image(heldOut),
      { width: 8, depth: 1, heads: 2, mlpWidth: 16, patchSize: 4 }, { epochs: 2, batchSize: 16, learningRate: 1e-2 }, seed));
  }, 120_000);

  test('XGBoost (trainXgboost)', async () => {
    const split = (name: 'train' | 'validation' | 'test', part: { count: number; features: number[]; labels: number[] }): Split => ({
      name, count: part.count, featureShape: [reference.features], numClasses: reference.classes, features: Float32Array.from(part.features), labels: Uint8Array.from(part.labels),
    });
    const data = experimentView(split('train', reference.train), split('validation', reference.test));
    await expectDeterministic((seed) => trainAndScore(trainXgboost as never, data, split('test', reference.test), { ...reference.settings }, { epochs: 0 } as Budget, seed));
  }, 120_000);
});
