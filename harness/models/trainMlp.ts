import { ModelError } from '../errors.ts';
import type { TrainContext, TrainOutcome } from '../types.ts';
import { initBackend, type BackendName } from './backend.ts';
import { createMlp, type MlpActivation } from './mlp.ts';
import { trainBuiltModel } from './trainCell.ts';

/**
 * The configuration of an MLP cell. `depth` and `activation` are required; every other field may also come
 * from the profile's budget (the cell's config wins) or falls back to {@link MLP_DEFAULTS}.
 */
export interface MlpCellConfig {
  /** Hidden layers. */
  readonly depth: number;
  readonly activation: MlpActivation;
  /** Decoupled AdamW weight decay, PyTorch convention (`w ← w − lr·λ·w`). Default 0. */
  readonly weightDecay?: number;
  /** Coupled L2 penalty `l2 · Σ w²` added to the loss. Default 0. */
  readonly l2?: number;
  /** Whether biases are decayed too. Default false. */
  readonly decayBiases?: boolean;
  /** Hidden units per layer. */
  readonly width?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly [key: string]: unknown;
}

/**
 * Defaults of {@link trainMlp} when neither the cell's config nor the budget sets a value: the protocol of
 * the PyTorch anchor (`shared/anchors/torch_bench.py`: AdamW lr 1e-3, batch 128, width 256, no decay).
 */
/** The activations {@link trainMlp} accepts in a cell's `activation`. */
export const MLP_ACTIVATIONS: readonly MlpActivation[] = Object.freeze(['relu', 'gelu']);

export const MLP_DEFAULTS = Object.freeze({ width: 256, batchSize: 128, learningRate: 1e-3, weightDecay: 0, l2: 0, decayBiases: false });

/** Options of {@link trainMlp}. */
export interface TrainMlpOptions {
  /** Backend preference passed to {@link initBackend} (`HYPOTEST_BACKEND` still wins). */
  readonly preferBackend?: BackendName | readonly BackendName[];
  /** Batch size of validation passes and predictions. Default 1024. */
  readonly evaluationBatchSize?: number;
}

/**
 * Trains the cell's MLP: a convenience for a cell's train function. Reads `epochs` from `ctx.budget`;
 * `width`, `batchSize`, `learningRate`, `weightDecay`, `l2`, `decayBiases` from `ctx.config`, else
 * `ctx.budget`, else {@link MLP_DEFAULTS}; `depth` and `activation` from `ctx.config`. Input size and classes
 * come from the training split; `ctx.seed` seeds the weights and the data order. Calls `ctx.onEpoch` every
 * epoch and records the backend and the speed with `ctx.recordEnvironment`. A divergence is returned, not
 * thrown, and its model is freed.
 *
 * @throws {ModelError} when a setting is missing or of the wrong type, or no backend loads.
 * @example
 * cell(study, 'd4-gelu-wd1e-4', { train: (ctx) => trainMlp(ctx) });
 */
export async function trainMlp<Config extends MlpCellConfig>(ctx: TrainContext<Config>, options: TrainMlpOptions = {}): Promise<TrainOutcome> {
  const backend = await initBackend({ prefer: options.preferBackend });
  const config = ctx.config as MlpCellConfig;
  const budget = ctx.budget as Readonly<Record<string, unknown>>;
  const setting = <T extends number | boolean>(key: keyof typeof MLP_DEFAULTS, kind: 'number' | 'boolean'): T => {
    const value = config[key] ?? budget[key] ?? MLP_DEFAULTS[key];
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) {
      throw new ModelError(`trainMlp (study '${ctx.study}', cell '${ctx.cell}'): ${key} must be a ${kind}, got ${JSON.stringify(value)}. Fix: set ${key} in cells['${ctx.cell}'] or in the profile's budget in study.ts (or leave it out for the default ${JSON.stringify(MLP_DEFAULTS[key])}).`);
    }
    return value as T;
  };
  // depth and activation have no default: a cell that forgets them gets the field, the cell and the fix, not createMlp's check.
  const where = `trainMlp (study '${ctx.study}', cell '${ctx.cell}')`;
  if (config.depth === undefined || config.activation === undefined) {
    const missing = (['depth', 'activation'] as const).filter((key) => config[key] === undefined);
    throw new ModelError(
      `${where}: the cell's config has no ${missing.join(' and no ')} (trainMlp needs depth and activation in every cell; width, batchSize, learningRate, weightDecay, l2 and decayBiases may come from the budget). ` +
        `Fix: add ${missing.map((key) => (key === 'depth' ? 'depth: 2' : "activation: 'relu'")).join(', ')} to cells['${ctx.cell}'] in study.ts (declare the cells \`as const\`, or type them as MlpCellConfig, so 'relu' stays a literal for tsc).`,
    );
  }
  if (typeof config.depth !== 'number' || !Number.isInteger(config.depth) || config.depth < 1) {
    throw new ModelError(`${where}: depth must be a positive integer (hidden layers), got ${JSON.stringify(config.depth)}. Fix: set depth in cells['${ctx.cell}'] in study.ts, e.g. depth: 2.`);
  }
  if (!MLP_ACTIVATIONS.includes(config.activation)) {
    throw new ModelError(`${where}: activation must be one of ${MLP_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(config.activation)}. Fix: set activation in cells['${ctx.cell}'] in study.ts.`);
  }
  const train = ctx.data.train;
  // Read before the model is built, so that an invalid setting cannot leak its variables.
  const trainOptions = {
    epochs: ctx.budget.epochs,
    batchSize: setting<number>('batchSize', 'number'),
    learningRate: setting<number>('learningRate', 'number'),
    weightDecay: setting<number>('weightDecay', 'number'),
    l2: setting<number>('l2', 'number'),
    decayBiases: setting<boolean>('decayBiases', 'boolean'),
    evaluationBatchSize: options.evaluationBatchSize,
  };
  const model = createMlp({
    inputSize: train.featureShape.reduce((a, b) => a * b, 1),
    width: setting<number>('width', 'number'),
    depth: config.depth,
    numClasses: train.numClasses,
    activation: config.activation,
    seed: ctx.seed,
  });
  return trainBuiltModel(model, ctx, backend, trainOptions);
}
