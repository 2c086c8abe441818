import { readLock } from './lock.ts';
import { readRecord, recordPath, type RecordLookup, type RunRecord } from './store.ts';
import { cellFileHashes } from './studyFiles.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';
import { runKeyFor, runKeyForVersion1, type RunIdentity } from './runIdentity.ts';
import { MissingSearchTrialError, SearchSelectionError } from './errors.ts';
import { searchedConfiguration } from './search.ts';

/** A run's place in the store: its key, its record path, the cell's own files, and the stored record when it matches. */
export interface StoredRun {
  key: string;
  path: string;
  /** sha256 of each of the cell's own files now (part of the key). */
  cellFiles: Record<string, string>;
  /** The record at `path` when it is this run's (see {@link findStoredRun}); null when absent or made with another key. */
  record: RunRecord | null;
}

/**
 * Finds the stored record of one run: reads `results/.../<cell>/seed-<n>.json` and keeps it only when it is this run's:
 * a version-2 record whose key is {@link runKeyFor} of the run (so a record made under another lock, config, budget,
 * dataset or other cell code is never reused), or a version-1 record whose key is the run's version-1 key while the
 * cell's own files all equal the lock's hashes (so the committed records stay valid until a cell's code changes).
 *
 * A final run of an arm with a search (registered and quick profiles) is keyed by the configuration its search chose
 * (`searchedConfiguration`), unless `run.config` gives the config.
 *
 * @throws {MissingCellFileError} when the cell has no file (nothing says what it trains).
 * @throws {MissingSearchTrialError} when a searched arm's trials are not all stored; {@link SearchSelectionError} when every trial diverged.
 * @throws {RunRecordError} when the file is unreadable or of an unknown schema; {@link LockFileError} for a corrupt lock.
 * @example
 * const { record, path, key } = findStoredRun(root, { study, cell: 'd2-relu-wd0', seed: 1, profile: 'registered', lockHash })
 */
export function findStoredRun(root: string, identity: RunIdentity): StoredRun {
  // A searched arm's final runs are keyed by the config they train: the chosen trial's, read from the stored trials.
  const run = identity.config === undefined && identity.study.search ? { ...identity, config: searchedConfiguration(root, identity).config } : identity;
  const studyDir = run.study.directory(root);
  const cellFiles = cellFileHashes(studyDir, run.cell);
  const key = runKeyFor(run, cellFiles);
  const path = recordPath(root, run.study.name, run.profile, run.cell, run.seed);
  const stored = readRecord(path);
  const matches = stored !== null && (stored.schemaVersion === 1 ? matchesVersion1(stored, run, studyDir, cellFiles) : stored.key === key);
  return { key, path, cellFiles, record: matches ? stored : null };
}

function matchesVersion1(stored: RunRecord, run: RunIdentity, studyDir: string, cellFiles: Record<string, string>): boolean {
  if (stored.key !== runKeyForVersion1(run)) return false;
  const lock = readLock(studyDir);
  return lock !== null && Object.entries(cellFiles).every(([file, hash]) => lock.files[file] === hash);
}

/**
 * The record lookup of a study under one profile and lock, as the analysis reads it: (cell, seed) → the stored
 * record that {@link findStoredRun} accepts, or null (also when a searched arm's trials are missing or all diverged).
 * Cells, hypotheses and the pilot all find records this way.
 *
 * @example
 * analyseStudy(study, hypotheses, recordLookup(root, study, 'registered', lock.hash), 'registered')
 */
export function recordLookup(root: string, study: Study, profile: Profile, lockHash: string | null): RecordLookup {
  return (cell, seed) => {
    try {
      return findStoredRun(root, { study, cell, seed, profile, lockHash }).record;
    } catch (error) {
      // Without its trials a searched arm has no chosen config, so no final record can be its: the run is missing.
      if (error instanceof MissingSearchTrialError || error instanceof SearchSelectionError) return null;
      throw error;
    }
  };
}
