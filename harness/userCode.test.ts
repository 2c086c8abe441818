import { describe, expect, test } from 'vitest';
import { ModelError, TrainingError } from './errors.ts';
import type { FrozenModel, TrainContext, TrainOutcome } from './types.ts';
import { guardModel, runUserTraining } from './userCode.ts';
import { rejection } from '../fixtures/testing.ts';

const ctx = { study: 'arms', cell: 'centroid', seed: 2 } as TrainContext<Record<string, unknown>>;
const place = { study: 'arms', cell: 'centroid', seed: 2 };

describe('runUserTraining', () => {
  test('an error thrown by the train function becomes a TrainingError naming study, cell and seed, with the original as cause', async () => {
    const original = new TypeError("Cannot read properties of undefined (reading 'length')");
    const error = await rejection(runUserTraining(async () => { throw original; }, ctx));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.name).toBe('TrainingError');
    expect(error.message).toContain("study 'arms', cell 'centroid', seed 2");
    expect(error.message).toContain("TypeError: Cannot read properties of undefined (reading 'length')");
    expect(error.message).toContain('Fix:');
    expect(error.cause).toBe(original);
    expect((error as TrainingError).cell).toBe('centroid');
    expect((error as TrainingError).seed).toBe(2);
  });

  test("a harness error keeps its own fix in the message; a thrown non-Error value is described", async () => {
    const original = new ModelError("trainMlp (cell 'centroid'): depth is missing. Fix: add depth to the cell's config.");
    const error = await rejection(runUserTraining(async () => { throw original; }, ctx));
    expect(error.message).toContain("ModelError: trainMlp (cell 'centroid'): depth is missing");
    expect(error.message).toContain('follow the fix above');
    expect(error.cause).toBe(original);
    const odd = await rejection(runUserTraining(async () => { throw 'boom'; }, ctx));
    expect(odd).toBeInstanceOf(TrainingError);
    expect(odd.message).toContain('a non-Error value ("boom")');
  });

  test('a TrainingError from a nested run is not wrapped twice', async () => {
    const inner = new TrainingError('inner', place, { cause: new Error('x') });
    expect(await rejection(runUserTraining(async () => { throw inner; }, ctx))).toBe(inner);
  });

  test('a diverged outcome passes through; an ok model keeps its own members', async () => {
    const diverged: TrainOutcome = { status: 'diverged', divergence: { epoch: 1, loss: 'NaN', reason: 'loss became NaN' } };
    expect(await runUserTraining(async () => diverged, ctx)).toBe(diverged);
    let disposed = false;
    class Model implements FrozenModel {
      weights = 'w';
      predict(_features: Float32Array, count: number) { return new Float32Array(count * 2).fill(0.5); }
      fingerprint() { return `fp-${this.weights}`; }
      dispose() { disposed = true; }
    }
    const outcome = await runUserTraining(async () => ({ status: 'ok', model: new Model() }), ctx);
    if (outcome.status !== 'ok') throw new Error('expected ok');
    expect(await outcome.model.predict(new Float32Array(6), 3)).toEqual(new Float32Array(6).fill(0.5));
    expect(await outcome.model.fingerprint?.()).toBe('fp-w');
    outcome.model.dispose?.();
    expect(disposed).toBe(true);
  });
});

describe('guardModel', () => {
  test('a synchronous throw in predict() becomes a TrainingError naming the run', () => {
    const original = new RangeError('offset is out of bounds');
    const model = guardModel({ predict() { throw original; } }, place);
    let error: unknown;
    try { model.predict(new Float32Array(2), 1); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toContain("study 'arms', cell 'centroid', seed 2: the frozen model's predict() threw RangeError: offset is out of bounds");
    expect((error as Error).cause).toBe(original);
  });

  test('a rejected predict() promise becomes a TrainingError too', async () => {
    const original = new Error('tensor disposed');
    const model = guardModel({ predict: async () => { throw original; } }, place);
    const error = await rejection(Promise.resolve(model.predict(new Float32Array(2), 1)));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.cause).toBe(original);
  });
});
