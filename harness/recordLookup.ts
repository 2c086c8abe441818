import { readRecord, recordPath, type RecordLookup, type RunRecord } from './store.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';
import { runKeyFor, type RunIdentity } from './runIdentity.ts';

/** A run's place in the store: its key, its record path, and the stored record when its key matches. */
export interface StoredRun {
  key: string;
  path: string;
  /** The record at `path` when its key is this run's key; null when absent or made with another key. */
  record: RunRecord | null;
}

/**
 * Finds the stored record of one run: reads `results/.../<cell>/seed-<n>.json` and keeps it only when its key is
 * {@link runKeyFor} of the run, so a record made under another lock, config, budget or dataset is never reused.
 *
 * @throws {RunRecordError} when the file is unreadable or of an unknown schema.
 * @example
 * const { record, path, key } = findStoredRun(root, { study, cell: 'd2-relu-wd0', seed: 1, profile: 'registered', lockHash })
 */
export function findStoredRun(root: string, run: RunIdentity): StoredRun {
  const key = runKeyFor(run);
  const path = recordPath(root, run.study.name, run.profile, run.cell, run.seed);
  const stored = readRecord(path);
  return { key, path, record: stored && stored.key === key ? stored : null };
}

/**
 * The record lookup of a study under one profile and lock, as the analysis reads it: (cell, seed) → the stored
 * record whose key matches, or null. Cells, hypotheses and the pilot all find records this way.
 *
 * @example
 * analyseStudy(study, hypotheses, recordLookup(root, study, 'registered', lock.hash), 'registered')
 */
export function recordLookup(root: string, study: Study, profile: Profile, lockHash: string | null): RecordLookup {
  return (cell, seed) => findStoredRun(root, { study, cell, seed, profile, lockHash }).record;
}
