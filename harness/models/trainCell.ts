import type { TrainContext, TrainOutcome } from '../types.ts';
import type { BackendInfo } from './backend.ts';
import type { Classifier } from './classifier.ts';
import { trainClassifier, type TrainOptions } from './train.ts';

/**
 * The part every built-in training function shares once its model is built: trains `model` on the cell's data
 * with {@link trainClassifier}, reports each epoch through `ctx.onEpoch`, records the backend and the measured
 * throughput (examples/s, training seconds) in the run's environment, and maps the result to a cell outcome.
 * The model is disposed on divergence and on error; on success its frozen form is returned.
 *
 * @throws whatever {@link trainClassifier} throws (e.g. ModelError for data that does not fit the model).
 * @example
 * return trainBuiltModel(createMlp({ ... }), ctx, backend, { epochs: 10, batchSize: 128, learningRate: 1e-3 });
 */
export async function trainBuiltModel(
  model: Classifier,
  ctx: TrainContext,
  backend: BackendInfo,
  options: Omit<TrainOptions, 'seed' | 'onEpoch'>,
): Promise<TrainOutcome> {
  let result;
  try {
    result = await trainClassifier(model, ctx.data, { ...options, seed: ctx.seed, onEpoch: (log) => ctx.onEpoch(log) });
  } catch (error) {
    model.dispose();
    throw error;
  }
  ctx.recordEnvironment({
    backend: backend.name,
    backendVersion: backend.version,
    backendDetails: backend.details,
    examplesPerSecond: Math.round(result.stats.examplesPerSecond),
    trainStepSeconds: Number(result.stats.trainSeconds.toFixed(3)),
  });
  if (result.status === 'diverged') {
    model.dispose();
    return { status: 'diverged', divergence: result.divergence };
  }
  return { status: 'ok', model: result.model };
}
