import { SealedSplitError } from '../errors.ts';
import type { DatasetSpec, DatasetSplits, OpenSplits, SealedDatasetSpec } from '../types.ts';

/** The raw loader behind each sealed spec; module-private, so nothing reachable from a spec or a study hands it out. */
const loaders = new WeakMap<object, () => Promise<DatasetSplits>>();

const SEALED = new Set(['test', 'shift']);

/**
 * Seals a dataset spec: the returned spec's public `load()` gives train and validation (with the fingerprint and
 * class names) and throws {@link SealedSplitError} on `test` or `shift`; only the harness opens the sealed splits,
 * through {@link openDataset}. Sealing a sealed spec returns it unchanged. `fashionMnist()`, `cifar10Patches()` and
 * `defineStudy()` (for a study's own loader) seal every spec they hand out.
 *
 * @example
 * const data = sealDataset({ id: 'toy', description: '...', params: {}, hasShift: false, load: async () => splits });
 * (await data.load()).train; // fine
 * (await data.load()).test;  // throws SealedSplitError
 */
export function sealDataset(spec: DatasetSpec | SealedDatasetSpec): SealedDatasetSpec {
  if (loaders.has(spec)) return spec as SealedDatasetSpec;
  const load = (spec as DatasetSpec).load.bind(spec) as () => Promise<DatasetSplits>;
  const sealed: SealedDatasetSpec = Object.freeze({
    id: spec.id,
    description: spec.description,
    params: spec.params,
    hasShift: spec.hasShift,
    async load(): Promise<OpenSplits> {
      return openView(await load());
    },
  });
  loaders.set(sealed, load);
  return sealed;
}

/**
 * For the harness only (the seal, the lock command; not exported by `harness/index.ts`): every split of a dataset,
 * sealed ones included. A spec that was never sealed (a loader object written by hand) is loaded as it is.
 */
export function openDataset(spec: DatasetSpec | SealedDatasetSpec): Promise<DatasetSplits> {
  const load = loaders.get(spec);
  return load ? load() : ((spec as DatasetSpec).load() as Promise<DatasetSplits>);
}

function openView(splits: DatasetSplits): OpenSplits {
  const target: OpenSplits = Object.freeze({
    train: splits.train,
    validation: splits.validation,
    fingerprint: splits.fingerprint,
    ...(splits.classNames ? { classNames: splits.classNames } : {}),
  });
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === 'string' && SEALED.has(property)) {
        throw new SealedSplitError(
          `dataset.load(): the ${property} split is sealed, so a dataset spec hands out train and validation only. ` +
            `Fix: train and tune on data.train and data.validation (a cell gets them as ctx.data); the harness evaluates the frozen model on the ${property} split itself (registered profile, locked study) and logs the opening.`,
        );
      }
      return Reflect.get(object, property, receiver);
    },
  });
}
