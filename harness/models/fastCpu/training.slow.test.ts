import { describe, expect, test } from 'vitest';
import type { Budget, EpochLog, TrainContext } from '../../types.ts';
import type { BackendName } from '../backend.ts';
import { imageSplit, loadTrainingImages } from '../../../bench/fixtures/fashionMnistTraining.ts';
import { trainMlp, type MlpCellConfig } from '../trainMlp.ts';
import { findBlas } from './blas.ts';
import { describeNeeding } from '../../../fixtures/systemPieces.ts';

// A full training run of a study's MLP (784-256-256-10, ReLU, AdamW lr 1e-3, batch 128) through trainMlp on the
// fast-cpu backend against the reference path (wasm with the transpose fix), same seeds: the same initial weights
// and data order, so the runs differ only by float rounding, which grows with the steps but stays far below the
// spread between seeds. Fashion-MNIST training images only: 20,000 to train, 5,000 to validate.
const images = await loadTrainingImages();
const blas = findBlas();

const SEEDS = [1, 2, 3];
const EPOCHS = 4;

async function train(backend: BackendName, seed: number): Promise<{ logs: EpochLog[]; environment: Record<string, unknown> }> {
  const data = { train: imageSplit(images!, 'train', 0, 20_000), validation: imageSplit(images!, 'validation', 50_000, 55_000) };
  const logs: EpochLog[] = [];
  const environment: Record<string, unknown> = {};
  const budget: Budget = { epochs: EPOCHS };
  const ctx: TrainContext<MlpCellConfig> = {
    study: 'fast-cpu-check', cell: 'd2-relu', seed, profile: 'quick', config: { depth: 2, activation: 'relu' }, budget, data,
    onEpoch: (log) => logs.push(log),
    recordEnvironment: (info) => Object.assign(environment, info),
  };
  const outcome = await trainMlp(ctx, { preferBackend: backend });
  expect(outcome.status).toBe('ok');
  if (outcome.status === 'ok') outcome.model.dispose?.();
  return { logs, environment };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

describeNeeding(images === undefined ? 'dataset-fashion-mnist' : 'libopenblas0', images !== undefined && blas.found)('fast-cpu trains the study MLP like the reference path (wasm)', () => {
  test('same learning curve to float rounding, and validation accuracy within seed noise', async () => {
    const fast: number[] = [];
    const reference: number[] = [];
    for (const seed of SEEDS) {
      const a = await train('fast-cpu', seed);
      const b = await train('wasm', seed);
      expect(a.environment).toMatchObject({ backend: 'fast-cpu', backendDetails: { blas: true, threads: 1 } });
      expect(b.environment).toMatchObject({ backend: 'wasm' });
      // First epoch: identical start and data order, so only float rounding separates the two losses.
      expect(Math.abs(a.logs[0].trainLoss - b.logs[0].trainLoss)).toBeLessThan(1e-3 * b.logs[0].trainLoss);
      fast.push(a.logs.at(-1)!.validationAccuracy!);
      reference.push(b.logs.at(-1)!.validationAccuracy!);
    }
    const differences = fast.map((f, i) => f - reference[i]);
    const seedNoise = Math.max(sd(fast), sd(reference));
    console.info(`validation accuracy fast-cpu ${fast.map((x) => x.toFixed(4))}, wasm ${reference.map((x) => x.toFixed(4))}, seed sd ${seedNoise.toFixed(4)}`);
    // Each seed within 1 point, and the mean difference below both half a point and the spread between seeds.
    for (const d of differences) expect(Math.abs(d)).toBeLessThan(0.01);
    expect(Math.abs(mean(differences))).toBeLessThan(Math.max(0.005, seedNoise));
    expect(mean(fast)).toBeGreaterThan(0.8);
  }, 600_000);
});
