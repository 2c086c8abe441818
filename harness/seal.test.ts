import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { PredictionOutputError, ReadOnlyDataError, SealedSplitError } from './errors.ts';
import { evaluateSealed, experimentView, loadDatasetOnce, predictSplit } from './seal.ts';
import { readAudit } from './store.ts';
import type { DatasetSpec, DatasetSplits, FrozenModel, Split } from './types.ts';
import { errorOf } from '../fixtures/testing.ts';

/** A two-feature, `numClasses`-class split whose feature 0 is the label (so a model can be checked exactly). */
function split(name: Split['name'], count: number, numClasses = 3): Split {
  const features = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % numClasses;
    features[2 * i] = labels[i];
    features[2 * i + 1] = i;
  }
  return { name, count, featureShape: [2], numClasses, features, labels };
}

/** Predicts the label with probability 0.8 when feature 1 (the example index) is even, else a wrong class. */
function indexModel(numClasses = 3): FrozenModel & { calls: { count: number; first: number }[] } {
  const calls: { count: number; first: number }[] = [];
  return {
    calls,
    predict(features: Float32Array, count: number) {
      calls.push({ count, first: features[1] });
      const out = new Float32Array(count * numClasses).fill(0.2 / (numClasses - 1));
      for (let i = 0; i < count; i++) {
        const label = features[2 * i];
        const index = features[2 * i + 1];
        const predicted = index % 2 === 0 ? label : (label + 1) % numClasses;
        out[i * numClasses + predicted] = 0.8;
      }
      return out;
    },
  };
}


describe('experimentView: experiment code sees train and validation only', () => {
  const train = split('train', 4);
  const validation = split('validation', 2);

  test('hands out train and validation', () => {
    const view = experimentView(train, validation);
    expect(view.train).toBe(train);
    expect(view.validation).toBe(validation);
    expect(Object.keys(view)).toEqual(['train', 'validation']);
    expect({ ...view }).toEqual({ train, validation });
  });

  test.each(['test', 'shift'])('reading %s throws SealedSplitError that says how to proceed', (name) => {
    const view = experimentView(train, validation) as unknown as Record<string, unknown>;
    const error = errorOf(() => view[name]);
    expect(error).toBeInstanceOf(SealedSplitError);
    expect(error.message).toBe(
      `the ${name} split is sealed: experiment code receives train and validation only. ` +
        `Fix: select and tune on data.validation; the harness evaluates your frozen model on the ${name} split itself after training (registered profile, locked study), and logs the opening.`,
    );
  });

  test('destructuring a sealed split throws too', () => {
    const view = experimentView(train, validation) as unknown as { test: Split };
    expect(() => {
      const { test: sealed } = view;
      return sealed;
    }).toThrow(SealedSplitError);
  });

  test('any other property is refused with the names that exist', () => {
    const view = experimentView(train, validation) as unknown as Record<string, unknown>;
    const error = errorOf(() => view.all);
    expect(error).toBeInstanceOf(SealedSplitError);
    expect(error.message).toBe("ExperimentData has no property 'all'; it holds train and validation only. Fix: use data.train or data.validation.");
  });

  test('symbols, then and toJSON pass through (await, JSON, inspection still work)', async () => {
    const view = experimentView(train, validation);
    expect((view as any).then).toBeUndefined();
    await expect(Promise.resolve(view)).resolves.toBe(view);
    expect((view as any)[Symbol.iterator]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(view))).toHaveProperty('train');
    expect(JSON.parse(JSON.stringify(view))).not.toHaveProperty('test');
  });

  test('is read-only: assigning throws ReadOnlyDataError, the splits stay', () => {
    const view = experimentView(train, validation) as unknown as Record<string, unknown>;
    const error = errorOf(() => {
      view.train = validation;
    });
    expect(error).toBeInstanceOf(ReadOnlyDataError);
    expect(error.message).toBe('ExperimentData is read-only. Fix: copy the split if you need to change it.');
    expect(() => {
      view.test = split('test', 1);
    }).toThrow(ReadOnlyDataError);
    expect(view.train).toBe(train);
    expect('test' in view).toBe(false);
    expect(Object.getOwnPropertyDescriptor(view, 'test')).toBeUndefined();
  });
});

describe('predictSplit', () => {
  test('predicts in batches over consecutive slices and concatenates the probabilities', async () => {
    const data = split('test', 10);
    const model = indexModel();
    const probabilities = await predictSplit(model, data, 4);
    expect(model.calls).toEqual([{ count: 4, first: 0 }, { count: 4, first: 4 }, { count: 2, first: 8 }]);
    const whole = await predictSplit(indexModel(), data, 2048);
    expect(probabilities).toEqual(whole);
    expect(probabilities).toHaveLength(30);
    // Example 3 (label 0, odd index): wrong class 1 gets 0.8.
    expect([...probabilities.subarray(9, 12)]).toEqual([0.1, 0.8, 0.1].map(Math.fround));
  });

  test('predict gets a private copy: rescaling its input in place reaches neither the split nor a later prediction', async () => {
    const data = split('test', 6);
    const before = data.features.slice();
    const sloppy: FrozenModel = {
      predict(features, count) {
        const out = indexModel().predict(features, count);
        for (let i = 0; i < features.length; i++) features[i] /= 255; // e.g. a "normalise" written in place
        return out;
      },
    };
    const first = await predictSplit(sloppy, data, 4);
    expect(data.features).toEqual(before);
    expect(await predictSplit(sloppy, data, 4)).toEqual(first);
    expect(first).toEqual(await predictSplit(indexModel(), data));
  });

  test('accepts an async predict', async () => {
    const data = split('test', 5);
    const sync = indexModel();
    const model: FrozenModel = { predict: async (f, c) => sync.predict(f, c) };
    expect(await predictSplit(model, data, 2)).toEqual(await predictSplit(indexModel(), data));
  });

  test.each([
    ['too few values', () => new Float32Array(2), 'model.predict returned 2 values for 4 examples x 3 classes'],
    ['a plain array', () => [0.1, 0.2], 'model.predict returned 2 values for 4 examples x 3 classes'],
    ['nothing', () => undefined, 'model.predict returned undefined values for 4 examples x 3 classes'],
  ])('rejects a model that returns %s, saying what to return', async (_name, predict, message) => {
    const model = { predict } as unknown as FrozenModel;
    await expect(predictSplit(model, split('test', 4))).rejects.toThrow(PredictionOutputError);
    await expect(predictSplit(model, split('test', 4))).rejects.toThrow(`${message}. Fix: return a Float32Array of class probabilities, row-major.`);
  });
});

describe('evaluateSealed', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(os.tmpdir(), 'hypotest-seal-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const options = (model: FrozenModel, data: Split) => ({
    root, study: 'unit', cell: 'd2-relu', seed: 3, lockHash: 'a'.repeat(64), modelFingerprint: 'b'.repeat(64), model, split: data, splitName: data.name as 'test' | 'shift',
  });

  test('logs the opening (run, split, time, lock hash, fingerprint, examples), then evaluates', async () => {
    const before = Date.now();
    const data = split('test', 6);
    const { metrics, examples } = await evaluateSealed(options(indexModel(), data));
    // Even indices right, odd wrong: 3 of 6.
    expect(metrics.accuracy).toBe(50);
    expect(metrics.nll).toBeCloseTo(-(3 * Math.log(Math.fround(0.8)) + 3 * Math.log(Math.fround(0.1))) / 6, 6);
    expect([...examples.predictedClass]).toEqual([0, 2, 2, 1, 1, 0]);
    const audit = readAudit(root, 'unit');
    expect(audit).toEqual([{
      study: 'unit', cell: 'd2-relu', seed: 3, split: 'test', time: expect.any(String), lockHash: 'a'.repeat(64), modelFingerprint: 'b'.repeat(64), examples: 6,
    }]);
    expect(Date.parse(audit[0].time)).toBeGreaterThanOrEqual(before - 1000);
    await evaluateSealed(options(indexModel(), split('shift', 2)));
    expect(readAudit(root, 'unit').map((e) => [e.split, e.examples])).toEqual([['test', 6], ['shift', 2]]);
  });

  test('the opening is logged even when evaluation then fails', async () => {
    const failing: FrozenModel = {
      predict() {
        throw new Error('out of memory');
      },
    };
    await expect(evaluateSealed(options(failing, split('test', 4)))).rejects.toThrow('out of memory');
    expect(readAudit(root, 'unit')).toEqual([expect.objectContaining({ cell: 'd2-relu', seed: 3, split: 'test', examples: 4 })]);
    const wrongShape = { predict: () => new Float32Array(1) } as FrozenModel;
    await expect(evaluateSealed(options(wrongShape, split('shift', 4)))).rejects.toThrow(PredictionOutputError);
    expect(readAudit(root, 'unit')).toHaveLength(2);
  });
});

describe('loadDatasetOnce', () => {
  const splits: DatasetSplits = { train: split('train', 2), validation: split('validation', 2), test: split('test', 2), fingerprint: 'f' };

  function spec(id: string, params: Record<string, unknown>, load: () => Promise<DatasetSplits>): DatasetSpec {
    return { id, description: 'fake', params, hasShift: false, load };
  }

  test('loads a dataset once per (id, params), whatever the key order of params', async () => {
    const load = vi.fn(async () => splits);
    const first = await loadDatasetOnce(spec('once-a', { size: 1, seed: 2 }, load));
    const second = await loadDatasetOnce(spec('once-a', { seed: 2, size: 1 }, load));
    expect(first).toBe(splits);
    expect(second).toBe(splits);
    expect(load).toHaveBeenCalledTimes(1);
    await loadDatasetOnce(spec('once-a', { size: 2, seed: 2 }, load));
    await loadDatasetOnce(spec('once-b', { size: 1, seed: 2 }, load));
    expect(load).toHaveBeenCalledTimes(3);
  });

  test('a failed load is not cached: the next call tries again', async () => {
    const load = vi.fn()
      .mockImplementationOnce(async () => {
        throw new Error('disk full');
      })
      .mockImplementationOnce(async () => splits);
    await expect(loadDatasetOnce(spec('retry', {}, load))).rejects.toThrow('disk full');
    await expect(loadDatasetOnce(spec('retry', {}, load))).resolves.toBe(splits);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
