import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/xgboost/reference.json';
import { errorOf } from '../../fixtures/testing.ts';
import { ModelError, XgboostUnavailableError } from '../errors.ts';
import { experimentView } from '../seal.ts';
import type { EpochLog, Split, TrainContext, TrainOutcome } from '../types.ts';
import { loadXgboost, trainBooster, trainXgboost, type Booster, type XgboostCellConfig, type XgboostParams } from './gbt.ts';

// Reference: fixtures/xgboost/reference.json, made by
//   /usr/bin/python3 fixtures/xgboost/reference.py > fixtures/xgboost/reference.json
// (Python's xgboost 1.7.4 on Debian 12's libxgboost0, the library these tests load.)
const { classes, features: featureSize, settings } = reference;
const train = { count: reference.train.count, features: Float32Array.from(reference.train.features), labels: Uint8Array.from(reference.train.labels) };
const test_ = { count: reference.test.count, features: Float32Array.from(reference.test.features), labels: Uint8Array.from(reference.test.labels) };

function paramsFor(seed: number, overrides: Partial<XgboostParams> = {}): XgboostParams {
  return { numClasses: classes, seed, ...settings, ...overrides };
}

function withBooster<T>(params: XgboostParams, use: (booster: Booster) => T): T {
  const booster = trainBooster({ train, featureSize, params });
  try {
    return use(booster);
  } finally {
    booster.dispose();
  }
}

function split(name: 'train' | 'validation', data: typeof train): Split {
  return { name, count: data.count, featureShape: [featureSize], numClasses: classes, features: data.features, labels: data.labels };
}

function context(seed: number, config: XgboostCellConfig, budget: Record<string, unknown> = { epochs: 0 }): TrainContext<XgboostCellConfig> & { curve: EpochLog[]; environment: Record<string, unknown> } {
  const curve: EpochLog[] = [];
  const environment: Record<string, unknown> = {};
  return {
    study: 'fixture', cell: 'xgboost', seed, profile: 'quick', config, budget: budget as TrainContext['budget'],
    data: experimentView(split('train', train), split('validation', test_)), // as cells get it
    onEpoch: (log) => curve.push(log),
    recordEnvironment: (info) => Object.assign(environment, info),
    curve, environment,
  };
}

function modelOf(outcome: TrainOutcome): Booster {
  if (outcome.status !== 'ok') throw new Error(`expected a trained model, got ${JSON.stringify(outcome)}`);
  return outcome.model as Booster;
}

describe('XGBoost through its C API', () => {
  test('the library loads and reports its version', () => {
    expect(loadXgboost().version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test.each(reference.runs)('seed $seed: the same probabilities (bit for bit) and model bytes as Python ($command)', ({ seed, probabilities, modelSha256 }) => {
    withBooster(paramsFor(seed), (booster) => {
      const ours = booster.predict(test_.features, test_.count);
      expect(Array.from(ours)).toEqual(Array.from(Float32Array.from(probabilities)));
      expect(booster.fingerprint()).toBe(modelSha256);
    });
  });

  test('probabilities are valid: count x classes, in [0, 1], rows summing to 1, better than chance on held-out data', () => {
    withBooster(paramsFor(1), (booster) => {
      const p = booster.predict(test_.features, test_.count);
      expect(p.length).toBe(test_.count * classes);
      let correct = 0;
      for (let i = 0; i < test_.count; i++) {
        const row = Array.from(p.subarray(i * classes, (i + 1) * classes));
        for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
        expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
        if (row.indexOf(Math.max(...row)) === test_.labels[i]) correct++;
      }
      expect(correct / test_.count).toBeGreaterThan(0.6); // chance is 1/3
      expect(booster.predict(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    });
  });

  test('same seed, same model; another seed, another model; without subsampling the seed does nothing', () => {
    const fingerprint = (params: XgboostParams) => withBooster(params, (b) => b.fingerprint());
    expect(fingerprint(paramsFor(3))).toBe(fingerprint(paramsFor(3)));
    expect(fingerprint(paramsFor(3))).not.toBe(fingerprint(paramsFor(4)));
    const noSampling = { subsample: 1, colsampleBytree: 1 };
    expect(fingerprint(paramsFor(3, noSampling))).toBe(fingerprint(paramsFor(4, noSampling)));
  });

  test('the saved model is a copy that survives later calls, and a disposed booster refuses to predict', () => {
    const booster = trainBooster({ train, featureSize, params: paramsFor(1) });
    const first = booster.saveModel();
    const copy = Uint8Array.from(first);
    booster.predict(test_.features, test_.count);
    booster.saveModel();
    expect(first).toEqual(copy);
    booster.dispose();
    booster.dispose();
    expect(() => booster.predict(test_.features, test_.count)).toThrow(/disposed/);
  });

  test('bad inputs are named; an error inside XGBoost carries XGBGetLastError', () => {
    expect(() => trainBooster({ train, featureSize: featureSize + 1, params: paramsFor(1) })).toThrow(/feature values/);
    expect(() => trainBooster({ train: { ...train, labels: train.labels.map(() => 5) }, featureSize, params: paramsFor(1) })).toThrow(/not a class in 0..2/);
    expect(() => trainBooster({ train, featureSize, params: paramsFor(1, { subsample: 0 }) })).toThrow(/subsample must be in \(0, 1\]/);
    // max_bin >= 2 is checked by XGBoost itself: its message (XGBGetLastError) is passed on.
    const error = errorOf(() => trainBooster({ train, featureSize, params: paramsFor(1, { maxBin: 1 }) }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/trainBooster: XGBoost's XGBoosterUpdateOneIter failed: .*max_bin should be greater equal to 2/);
  });

  test('a missing library is a named error that says how to install it', () => {
    const error = errorOf(() => loadXgboost({ library: '/nonexistent/libxgboost.so.0' }));
    expect(error).toBeInstanceOf(XgboostUnavailableError);
    expect(error).toBeInstanceOf(ModelError);
    expect(String((error as Error).message)).toMatch(/apt-get install libxgboost0/);
    const notXgboost = errorOf(() => loadXgboost({ library: 'libc.so.6' }));
    expect(notXgboost).toBeInstanceOf(XgboostUnavailableError);
    expect(String((notXgboost as Error).message)).toMatch(/not XGBoost's C API/);
  });
});

describe('trainXgboost (a cell training function)', () => {
  const config: XgboostCellConfig = { maxDepth: 3, learningRate: 0.3, subsample: 0.7, colsampleBytree: 0.8, minChildWeight: 1, regLambda: 1, maxBin: 32, threads: 1 };

  test('trains with settings from the config and the budget, logs every round and matches trainBooster', async () => {
    const ctx = context(1, config, { epochs: 0, rounds: settings.rounds });
    const model = modelOf(await trainXgboost(ctx));
    try {
      expect(model.fingerprint()).toBe(reference.runs[0].modelSha256);
      expect(ctx.curve.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(ctx.curve.at(-1)!.trainLoss).toBeLessThan(ctx.curve[0].trainLoss);
      expect(ctx.curve.at(-1)!.validationAccuracy).toBeGreaterThan(0.6);
      expect(ctx.curve.at(-1)!.validationLoss).toBeGreaterThan(0);
      expect(ctx.environment).toMatchObject({ backend: 'xgboost', backendVersion: loadXgboost().version });
    } finally {
      model.dispose();
    }
  });

  test('different seeds give different models under the registered (subsampling) configuration', async () => {
    const budget = { epochs: 0, rounds: 4 };
    const a = modelOf(await trainXgboost(context(1, config, budget)));
    const b = modelOf(await trainXgboost(context(2, config, budget)));
    expect(a.fingerprint()).not.toBe(b.fingerprint());
    a.dispose();
    b.dispose();
  });

  test('every setting must be given: no library defaults', async () => {
    const { maxBin: _, ...withoutMaxBin } = config;
    await expect(trainXgboost(context(1, withoutMaxBin, { epochs: 0 }))).rejects.toThrow(/maxBin, rounds|rounds, maxBin/);
    await expect(trainXgboost(context(1, withoutMaxBin, { epochs: 0, rounds: 2 }))).rejects.toThrow(/maxBin is not set/);
    await expect(trainXgboost(context(1, { ...config, rounds: '2' as unknown as number }))).rejects.toThrow(/rounds must be a finite number/);
  });

  test('a configuration in which the seed does nothing is refused', async () => {
    await expect(trainXgboost(context(1, { ...config, subsample: 1, colsampleBytree: 1, rounds: 2 }))).rejects.toThrow(/ignores the seed/);
  });

  test('a missing library is the named error', async () => {
    await expect(trainXgboost(context(1, { ...config, rounds: 2 }), { library: '/nonexistent/libxgboost.so.0' })).rejects.toThrow(XgboostUnavailableError);
  });
});
