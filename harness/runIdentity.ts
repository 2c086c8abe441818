import { budgetFor } from './profile.ts';
import { runKey, runKeyVersion1 } from './store.ts';
import type { CellConfig, Study } from './study.ts';
import type { Profile } from './types.ts';
import { canonicalJson, sha256 } from './util.ts';

/** Which run of a study: the cell, the seed, the profile and the lock it runs under (null outside the registered profile). */
export interface RunIdentity {
  study: Study;
  cell: string;
  seed: number;
  profile: Profile;
  lockHash: string | null;
  /**
   * The config the run trains with, when it is not the cell's registered one: a search trial's sampled config, or a
   * searched arm's chosen config (`searchedConfiguration` in harness/search.ts). Default `study.cells[cell]`.
   */
  config?: CellConfig;
}

function sixParts(run: RunIdentity) {
  const { study, cell, seed, profile, lockHash } = run;
  return {
    lockHash, config: run.config ?? study.cells[cell], budget: budgetFor(study, profile), seed, profile,
    dataset: canonicalJson({ id: study.dataset.id, params: study.dataset.params }),
  };
}

/**
 * The run key of one run of a study, the one place that decides which parts identify a run: the lock hash, the hash of
 * the cell's own files (`cellFiles`, from `cellFileHashes`: the cell file and its non-harness imports but study.ts), the
 * cell's config, the profile's budget, the seed, the profile and the dataset (its id and params), hashed by {@link runKey}.
 * Cells key the records they write with it; every lookup of a stored record compares against it.
 *
 * @example
 * runKeyFor({ study, cell: 'd2-relu-wd0', seed: 1, profile: 'registered', lockHash: lock.hash }, cellFileHashes(studyDir, 'd2-relu-wd0'))
 */
export function runKeyFor(run: RunIdentity, cellFiles: Record<string, string>): string {
  return runKey({ ...sixParts(run), cellFiles: sha256(canonicalJson(cellFiles)) });
}

/**
 * The key a version-1 record of this run carries (no cell files in it): how such a record is still found, while the
 * cell's files equal the lock's hashes (see `findStoredRun`).
 */
export function runKeyForVersion1(run: RunIdentity): string {
  return runKeyVersion1(sixParts(run));
}
