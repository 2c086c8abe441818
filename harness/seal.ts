import { PredictionOutputError, ReadOnlyDataError, SealedSplitError } from './errors.ts';
import { appendAudit } from './store.ts';
import { faultPoint } from './faults.ts';
import { evaluatePredictions, type EvaluationOptions, type ExamplePredictions, type MetricValues } from './metrics.ts';
import { openDataset } from './data/sealedDataset.ts';
import type { DatasetSpec, DatasetSplits, ExperimentData, FrozenModel, SealedDatasetSpec, Split } from './types.ts';
import { canonicalJson } from './util.ts';
import { cachePromise } from './promiseCache.ts';

const SEALED = new Set(['test', 'shift']);

/**
 * The only view of a dataset that experiment code receives: train and validation. Reading `test`
 * or `shift` (or any other property) throws {@link SealedSplitError}; the object cannot be changed.
 */
export function experimentView(train: Split, validation: Split): ExperimentData {
  const target = Object.freeze({ train, validation });
  return new Proxy(target, {
    get(object, property, receiver) {
      if (property === 'train' || property === 'validation') return Reflect.get(object, property, receiver);
      if (typeof property === 'string' && SEALED.has(property)) {
        throw new SealedSplitError(
          `the ${property} split is sealed: experiment code receives train and validation only. ` +
            `Fix: select and tune on data.validation; the harness evaluates your frozen model on the ${property} split itself after training (registered profile, locked study), and logs the opening.`,
        );
      }
      // Symbols, promise detection and Object.prototype members (toString, constructor, ...) behave as usual.
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON' || property in Object.prototype) return Reflect.get(object, property, receiver);
      throw new SealedSplitError(`ExperimentData has no property '${property}'; it holds train and validation only. Fix: use data.train or data.validation.`);
    },
    set() {
      throw new ReadOnlyDataError('ExperimentData is read-only. Fix: copy the split if you need to change it.');
    },
  }) as ExperimentData;
}

const datasetCache = new Map<string, Promise<DatasetSplits>>();

/** Loads a dataset, sealed splits included, once per process (several cells share a worker). For the harness only. */
export function loadDatasetOnce(spec: DatasetSpec | SealedDatasetSpec): Promise<DatasetSplits> {
  const key = canonicalJson({ id: spec.id, params: spec.params });
  return cachePromise(datasetCache, key, () => openDataset(spec));
}

/** Predicts a whole split in batches (bounded memory), returning `count * numClasses` probabilities. `predict` gets a private copy of each batch. */
export async function predictSplit(model: FrozenModel, split: Split, batchSize = 2048): Promise<Float32Array> {
  const featureSize = split.features.length / split.count;
  const out = new Float32Array(split.count * split.numClasses);
  for (let start = 0; start < split.count; start += batchSize) {
    const count = Math.min(batchSize, split.count - start);
    // A private copy of the batch: a predict() that changes its input in place (rescaling, say) must not reach the
    // split, which later runs in this worker (and the metrics below) read.
    const probabilities = await model.predict(split.features.slice(start * featureSize, (start + count) * featureSize), count);
    if (!(probabilities instanceof Float32Array) || probabilities.length !== count * split.numClasses) {
      throw new PredictionOutputError(`predictSplit: model.predict returned ${probabilities?.length ?? typeof probabilities} values for ${count} examples x ${split.numClasses} classes. Fix: return a Float32Array of class probabilities, row-major.`);
    }
    out.set(probabilities, start * split.numClasses);
  }
  return out;
}

/**
 * Evaluates a frozen model on a sealed split and appends the opening to the audit log first, so an
 * opening is logged even if evaluation then fails (or the process dies: fault point `sealed-evaluate-during`).
 */
export async function evaluateSealed(options: {
  root: string; study: string; cell: string; seed: number; lockHash: string; modelFingerprint: string;
  model: FrozenModel; split: Split; splitName: 'test' | 'shift';
  /** The study's registered ECE bins; the split's groups (`Split.groups`) are passed on by this function. */
  evaluation?: Pick<EvaluationOptions, 'eceBins'>;
}): Promise<{ metrics: MetricValues; examples: ExamplePredictions; byGroup?: Record<string, MetricValues> }> {
  appendAudit(options.root, {
    study: options.study, cell: options.cell, seed: options.seed, split: options.splitName, time: new Date().toISOString(),
    lockHash: options.lockHash, modelFingerprint: options.modelFingerprint, examples: options.split.count,
  });
  faultPoint('sealed-evaluate-during');
  const probabilities = await predictSplit(options.model, options.split);
  const { groups, groupNames } = options.split;
  return evaluatePredictions(probabilities, options.split.labels, options.split.numClasses, { ...options.evaluation, ...(groups ? { groups, groupNames } : {}) });
}
