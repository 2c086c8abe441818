import { HypotestError, TrainingError } from './errors.ts';
import type { FrozenModel, TrainContext, TrainOutcome } from './types.ts';

/** Where a cell's code runs: the study, the cell and the seed named by every {@link TrainingError}. */
export interface RunPlace {
  readonly study: string;
  readonly cell: string;
  readonly seed: number;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error value (${JSON.stringify(error)?.slice(0, 120) ?? String(error)})`;
}

function fixFor(error: unknown, what: string): string {
  // A harness error already says what to do; a plain error from user code gets the generic fix.
  return error instanceof HypotestError ? 'follow the fix above' : `fix the cell's ${what} (the original error and its stack are kept as \`cause\`), then rerun the study`;
}

/**
 * Runs a cell's train function and wraps any error it throws in a {@link TrainingError} naming the study, cell and
 * seed (the original kept as `cause`); the returned model's `predict()` is wrapped the same way, so an error during
 * evaluation names the run too. Output checks (shape, type) stay with the harness's evaluation.
 *
 * @throws {TrainingError} when the train function or the model's predict() throws.
 * @example
 * const outcome = await runUserTraining(train, ctx); // a TypeError inside train → TrainingError "study 'arms', cell 'centroid', seed 2: ..."
 */
export async function runUserTraining<Config>(train: (ctx: TrainContext<Config>) => Promise<TrainOutcome>, ctx: TrainContext<Config>): Promise<TrainOutcome> {
  const place: RunPlace = { study: ctx.study, cell: ctx.cell, seed: ctx.seed };
  let outcome: TrainOutcome;
  try {
    outcome = await train(ctx);
  } catch (error) {
    if (error instanceof TrainingError) throw error;
    throw new TrainingError(
      `study '${place.study}', cell '${place.cell}', seed ${place.seed}: the cell's train function threw ${describeError(error)}. Fix: ${fixFor(error, 'train function')}.`,
      place,
      { cause: error },
    );
  }
  if (outcome && outcome.status === 'ok' && outcome.model && typeof outcome.model.predict === 'function') {
    return { ...outcome, model: guardModel(outcome.model, place) };
  }
  return outcome;
}

/**
 * The same model, with `predict()` errors wrapped in a {@link TrainingError} naming the run. Every other member
 * (fingerprint, dispose, anything the model carries) is the model's own.
 *
 * @example
 * guardModel(model, { study: 'arms', cell: 'centroid', seed: 1 }).predict(features, count)
 */
export function guardModel(model: FrozenModel, place: RunPlace): FrozenModel {
  const wrap = (error: unknown): never => {
    if (error instanceof TrainingError) throw error;
    throw new TrainingError(
      `study '${place.study}', cell '${place.cell}', seed ${place.seed}: the frozen model's predict() threw ${describeError(error)}. Fix: ${fixFor(error, 'predict()')}.`,
      place,
      { cause: error },
    );
  };
  const predict: FrozenModel['predict'] = (features, count) => {
    let result: ReturnType<FrozenModel['predict']>;
    try {
      result = model.predict(features, count);
    } catch (error) {
      return wrap(error);
    }
    return result instanceof Promise ? result.catch(wrap) : result;
  };
  return new Proxy(model, {
    get(target, property) {
      if (property === 'predict') return predict;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
