import { ModelError } from '../errors.ts';
import type { TrainContext, TrainOutcome } from '../types.ts';
import { initBackend, type BackendName } from './backend.ts';
import { trainBuiltModel } from './trainCell.ts';
import { createVit } from './vit.ts';

/**
 * A setting that a training function needs was found neither in the cell's config nor in the profile's budget.
 * `setting` names it; the message says where to put it.
 * @example
 * try { await trainVit(ctx) } catch (e) { if (e instanceof MissingSettingError) console.log(e.setting) }
 */
export class MissingSettingError extends ModelError {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/**
 * The configuration of a ViT cell. Every architecture and optimiser setting must be given, here or in the
 * profile's budget (the cell's config wins); none has a default. Weight decay, L2 and bias decay are off unless set.
 */
export interface VitCellConfig {
  /** Model width `d_model`. */
  readonly width?: number;
  /** Transformer blocks. */
  readonly depth?: number;
  /** Attention heads per block. */
  readonly heads?: number;
  /** Hidden units of each block's MLP. */
  readonly mlpWidth?: number;
  /** Side of the square patches, in pixels. */
  readonly patchSize?: number;
  /** AdamW learning rate. */
  readonly learningRate?: number;
  readonly batchSize?: number;
  /** Passes over the training split (usually the budget's). */
  readonly epochs?: number;
  /** Decoupled AdamW weight decay, PyTorch convention (`w ← w − lr·λ·w`). Default 0. */
  readonly weightDecay?: number;
  /** Coupled L2 penalty `l2 · Σ w²` added to the loss. Default 0. */
  readonly l2?: number;
  /** Whether biases, LayerNorm gains and offsets and the positions are decayed too. Default false. */
  readonly decayBiases?: boolean;
  readonly [key: string]: unknown;
}

/** The settings {@link trainVit} requires, each from the cell's config or the budget. */
export const VIT_REQUIRED_SETTINGS = Object.freeze(['width', 'depth', 'heads', 'mlpWidth', 'patchSize', 'learningRate', 'batchSize', 'epochs'] as const);

/** Options of {@link trainVit}. */
export interface TrainVitOptions {
  /** Backend preference passed to {@link initBackend} (`HYPOTEST_BACKEND` still wins). */
  readonly preferBackend?: BackendName | readonly BackendName[];
  /** Batch size of validation passes and predictions. Default 1024. */
  readonly evaluationBatchSize?: number;
}

/**
 * Trains the cell's vision transformer ({@link createVit}) with the MLP's training loop ({@link trainClassifier}:
 * AdamW, seeded data order, divergence handling, per-epoch validation): a convenience for a cell's train
 * function. Reads each of {@link VIT_REQUIRED_SETTINGS} from `ctx.config`, else `ctx.budget`, and
 * `weightDecay`, `l2`, `decayBiases` the same way (0, 0, false when neither sets them). The image shape and the
 * classes come from the training split (`featureShape` `[height, width]` or `[height, width, channels]`);
 * `ctx.seed` seeds the weights and the data order. Calls `ctx.onEpoch` every epoch and records the backend and
 * the speed with `ctx.recordEnvironment`. A divergence is returned, not thrown, and its model is freed.
 *
 * @throws {MissingSettingError} when a required setting is in neither the config nor the budget.
 * @throws {ModelError} when a setting has the wrong type, the model arguments are invalid, or no backend loads.
 * @example
 * // study budget: { epochs: 10, batchSize: 128, learningRate: 1e-3 }
 * cell(study, 'vit', { config: { width: 64, depth: 2, heads: 4, mlpWidth: 128, patchSize: 7 }, train: (ctx) => trainVit(ctx) });
 */
export async function trainVit<Config extends VitCellConfig>(ctx: TrainContext<Config>, options: TrainVitOptions = {}): Promise<TrainOutcome> {
  const config = ctx.config as VitCellConfig;
  const budget = ctx.budget as Readonly<Record<string, unknown>>;
  const lookup = (key: string): unknown => config[key] ?? budget[key];
  const typed = <T extends number | boolean>(key: string, value: unknown, kind: 'number' | 'boolean'): T => {
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) {
      throw new ModelError(`trainVit (cell '${ctx.cell}'): ${key} must be a ${kind}, got ${JSON.stringify(value)}. Fix the cell's config or the study's budget.`);
    }
    return value as T;
  };
  const required = (key: (typeof VIT_REQUIRED_SETTINGS)[number]): number => {
    const value = lookup(key);
    if (value === undefined) {
      throw new MissingSettingError(
        key,
        `trainVit (cell '${ctx.cell}'): ${key} is set neither in the cell's config nor in the study's budget, and has no default. ` +
          `Add ${key} to one of them (the ViT needs ${VIT_REQUIRED_SETTINGS.join(', ')}).`,
      );
    }
    return typed<number>(key, value, 'number');
  };
  const optional = <T extends number | boolean>(key: string, kind: 'number' | 'boolean', off: T): T => {
    const value = lookup(key);
    return value === undefined ? off : typed<T>(key, value, kind);
  };
  // Read every setting before loading a backend or building a model, so that a missing one fails fast.
  const settings = Object.fromEntries(VIT_REQUIRED_SETTINGS.map((key) => [key, required(key)])) as Record<(typeof VIT_REQUIRED_SETTINGS)[number], number>;
  const weightDecay = optional<number>('weightDecay', 'number', 0);
  const l2 = optional<number>('l2', 'number', 0);
  const decayBiases = optional<boolean>('decayBiases', 'boolean', false);

  const backend = await initBackend({ prefer: options.preferBackend });
  const train = ctx.data.train;
  // Read before the model is built, so that an invalid setting cannot leak its variables.
  const trainOptions = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    weightDecay,
    l2,
    decayBiases,
    evaluationBatchSize: options.evaluationBatchSize,
  };
  const model = createVit({
    imageShape: train.featureShape,
    patchSize: settings.patchSize,
    width: settings.width,
    depth: settings.depth,
    heads: settings.heads,
    mlpWidth: settings.mlpWidth,
    numClasses: train.numClasses,
    seed: ctx.seed,
  });
  return trainBuiltModel(model, ctx, backend, trainOptions);
}
