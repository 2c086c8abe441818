import { budgetFor } from './profile.ts';
import { runKey } from './store.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';
import { canonicalJson } from './util.ts';

/** Which run of a study: the cell, the seed, the profile and the lock it runs under (null outside the registered profile). */
export interface RunIdentity {
  study: Study;
  cell: string;
  seed: number;
  profile: Profile;
  lockHash: string | null;
}

/**
 * The run key of one run of a study, the one place that decides which parts identify a run: the lock hash, the
 * cell's config, the profile's budget, the seed, the profile and the dataset (its id and params), hashed by
 * {@link runKey}. Cells key the records they write with it; every lookup of a stored record compares against it.
 *
 * @example
 * runKeyFor({ study, cell: 'd2-relu-wd0', seed: 1, profile: 'registered', lockHash: lock.hash })
 */
export function runKeyFor(run: RunIdentity): string {
  const { study, cell, seed, profile, lockHash } = run;
  return runKey({
    lockHash, config: study.cells[cell], budget: budgetFor(study, profile), seed, profile,
    dataset: canonicalJson({ id: study.dataset.id, params: study.dataset.params }),
  });
}
