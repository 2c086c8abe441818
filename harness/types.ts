/**
 * The data contracts shared by the harness, the data loaders, the models and the reporters.
 * Everything here is plain data (JSON-safe where stored), so reporters never need tfjs.
 */

/**
 * One split of a classification dataset, row-major.
 * `features` holds `count * featureSize` values, `featureSize` = product of `featureShape`.
 * `labels[i]` is the class index of example i, in `[0, numClasses)`.
 */
export interface Split {
  readonly name: SplitName;
  readonly count: number;
  readonly featureShape: readonly number[];
  readonly numClasses: number;
  readonly features: Float32Array;
  readonly labels: Uint8Array;
  /**
   * Optional grouping of the examples, e.g. the corruption of each shift-split image when the study registers several:
   * `groups[i]` indexes `groupNames`. The harness reports every metric per group beside the pooled split
   * (`RunRecord.groupMetrics`) and stores each example's group with its prediction.
   */
  readonly groups?: Uint8Array;
  /** The name of each group `groups` indexes, e.g. `['gaussian-blur-3', 'rotate-2']`. */
  readonly groupNames?: readonly string[];
}

export type SplitName = 'train' | 'validation' | 'test' | 'shift';

/** The splits a dataset loader returns to the harness. Only the harness ever sees test and shift. */
export interface DatasetSplits {
  readonly train: Split;
  readonly validation: Split;
  readonly test: Split;
  readonly shift?: Split;
  /** sha256 identifying the exact bytes and split parameters; recorded in the lock. */
  readonly fingerprint: string;
  readonly classNames?: readonly string[];
}

/**
 * A dataset as a study declares it: a description for the report and a loader.
 * `load` must be deterministic: the same spec gives the same splits on every machine.
 */
export interface DatasetSpec {
  /** Short id, e.g. `fashion-mnist`. */
  readonly id: string;
  /** Human-readable description of source, split sizes and preprocessing, for the report. */
  readonly description: string;
  /** JSON-safe parameters that define the splits (sizes, split seed, preprocessing). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Whether `load` returns a distribution-shift split. */
  readonly hasShift: boolean;
  load(): Promise<DatasetSplits>;
}

/** What a sealed dataset spec's public `load()` returns: train and validation only; `test` and `shift` throw `SealedSplitError`. */
export interface OpenSplits {
  readonly train: Split;
  readonly validation: Split;
  readonly fingerprint: string;
  readonly classNames?: readonly string[];
}

/**
 * A dataset spec as `fashionMnist()`, `cifar10Patches()` and a study (`study.dataset`) hand it out: its `load()` gives
 * train and validation only; the harness alone opens the sealed splits (README, the seal's threat model).
 */
export interface SealedDatasetSpec {
  readonly id: string;
  readonly description: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly hasShift: boolean;
  load(): Promise<OpenSplits>;
}

/** What experiment code receives: train and validation only. Asking for more throws. */
export interface ExperimentData {
  readonly train: Split;
  readonly validation: Split;
}

/** One epoch of a learning curve, as recorded in the run record. */
export interface EpochLog {
  /** The step of training this entry closes: an epoch, or a boosting round when `unit` is `'round'`. 1-based. */
  epoch: number;
  /** What `epoch` counts: epochs (the default) or boosting rounds (trees). */
  unit?: 'epoch' | 'round';
  /** How many `unit`s the run trains in all, when not the budget's `epochs` (trees: their rounds). */
  of?: number;
  trainLoss: number;
  /** A fraction in [0, 1] (run records' `metrics.accuracy` is in percent). */
  validationAccuracy?: number;
  validationLoss?: number;
  seconds?: number;
}

/**
 * A frozen, trained model. `predict` returns `count * numClasses` class probabilities,
 * row-major. Any model family (tfjs network, tree ensemble) fits this shape.
 */
export interface FrozenModel {
  predict(features: Float32Array, count: number): Promise<Float32Array> | Float32Array;
  /** sha256 of the weights, if the model can compute it; otherwise the harness fingerprints predictions. */
  fingerprint?(): string | Promise<string>;
  /** Releases tensors or native memory. Called by the harness after evaluation. */
  dispose?(): void;
}

/** Why and when a run diverged (loss became NaN or infinite). */
export interface Divergence {
  epoch: number;
  step?: number;
  loss: number | string;
  reason: string;
}

/** What a training function returns: a frozen model, or a divergence (optionally with the last model). */
export type TrainOutcome =
  | { readonly status: 'ok'; readonly model: FrozenModel }
  | { readonly status: 'diverged'; readonly divergence: Divergence };

/** Budget for one profile: anything the training code needs, JSON-safe. */
export interface Budget {
  /** Epochs of training. */
  readonly epochs: number;
  /** If set, the train split is cut to this many examples (stratified, seeded) before training. */
  readonly trainExamples?: number;
  /** If set, the validation split is cut to this many examples. */
  readonly validationExamples?: number;
  readonly [key: string]: unknown;
}

/**
 * `registered`: the study as locked, the only profile that opens sealed splits. `quick`: small budget, validation
 * only. `pilot`: the registered budget on a few pilot cells and seeds (never the registered seeds), validation
 * only, to measure the seed-to-seed spread and the design's sensitivity before locking.
 */
export type Profile = 'registered' | 'quick' | 'pilot';

/** Progress line emitted by long-running training, shown in the terminal. */
export interface ProgressEvent {
  cell: string;
  seed: number;
  epoch: number;
  epochs: number;
  /** What `epoch` and `epochs` count; default 'epoch' (trees: 'round'). */
  unit?: 'epoch' | 'round';
  validationAccuracy?: number;
  trainLoss?: number;
  secondsElapsed: number;
  secondsLeft?: number;
}

/**
 * Everything a cell's training function gets. `seed` fixes everything random.
 */
export interface TrainContext<Config = Record<string, unknown>> {
  readonly study: string;
  readonly cell: string;
  readonly seed: number;
  readonly profile: Profile;
  readonly config: Readonly<Config>;
  readonly budget: Budget;
  readonly data: ExperimentData;
  /** Record one epoch of the learning curve (and show progress). */
  onEpoch(log: EpochLog): void;
  /** Record provenance the harness cannot know, e.g. `{ backend: 'wasm' }`; stored in the run record's environment. */
  recordEnvironment(info: { backend?: string; [key: string]: unknown }): void;
}
