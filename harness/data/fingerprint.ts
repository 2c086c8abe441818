/**
 * The dataset fingerprint recorded in the lock: sha256 over the verified source-file hashes,
 * the split parameters and the version of the data pipeline, as canonical JSON (object keys
 * sorted), so the same files and parameters give the same fingerprint on every machine.
 */
import { canonicalJson } from '../util.ts';
import { createHash } from 'node:crypto';

/**
 * Version of the split, preprocessing and corruption code. Bump it whenever a change makes the
 * same files and parameters produce different splits, so old locks stop matching.
 */
export const DATA_PIPELINE_VERSION = 'hypotest-data/1';

/** What identifies a loaded dataset. */
export interface FingerprintParts {
  /** The dataset id, e.g. `fashion-mnist`. */
  readonly dataset: string;
  /** sha256 (hex) per source file name, of the decompressed bytes. */
  readonly files: Readonly<Record<string, string>>;
  /** The JSON-safe split parameters (the `DatasetSpec.params`). */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * The exact string {@link datasetFingerprint} hashes: canonical JSON of the parts plus
 * {@link DATA_PIPELINE_VERSION}. Useful to show a reader what the fingerprint covers.
 *
 * @example
 * datasetFingerprintInputs({ dataset: 'toy', files: { a: 'ab12' }, params: { seed: 1 } });
 * // '{"dataset":"toy","files":{"a":"ab12"},"params":{"seed":1},"pipeline":"hypotest-data/1"}'
 */
export function datasetFingerprintInputs(parts: FingerprintParts): string {
  return canonicalJson({ dataset: parts.dataset, files: parts.files, params: parts.params, pipeline: DATA_PIPELINE_VERSION });
}

/**
 * sha256 (hex) of {@link datasetFingerprintInputs}.
 *
 * @example
 * const fingerprint = datasetFingerprint({ dataset: 'fashion-mnist', files: sha256ByFile, params: spec.params });
 */
export function datasetFingerprint(parts: FingerprintParts): string {
  return createHash('sha256').update(datasetFingerprintInputs(parts)).digest('hex');
}

export { canonicalJson };
