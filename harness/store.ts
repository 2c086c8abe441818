import { existsSync, mkdirSync, readFileSync, renameSync, appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RunRecordError } from './errors.ts';
import type { LockOrder } from './lockOrder.ts';
import type { EncodedPredictions, MetricValues } from './metrics.ts';
import type { Budget, Divergence, EpochLog, Profile, SplitName } from './types.ts';
import { writeFileAtomic } from './atomicFile.ts';
import { canonicalJson, sha256 } from './util.ts';
import type { DebianPackageProvenance } from './system/debianFetch.ts';

/** The record format this harness writes. Version 1 records (no cell-file hashes in the key) stay readable and valid. */
export const SCHEMA_VERSION = 2;
/** Every record format this harness reads. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/** One immutable run record: `results/<study>/<cell>/seed-<n>.json` (quick: `results/.quick/...`). */
export interface RunRecord {
  schemaVersion: 1 | 2;
  /**
   * The run key. Version 2: {@link runKey}, sha256 of (lock hash, the cell's own files, cell config, budget, seed, profile,
   * dataset). Version 1: {@link runKeyVersion1}, the same without the cell's files. Harness version and backend are not part of it.
   */
  key: string;
  study: string;
  cell: string;
  seed: number;
  profile: Profile;
  lockHash: string | null;
  /** Version 2: sha256 of each of the cell's own files (the cell file and its non-harness imports but study.ts), as keyed. */
  cellFiles?: Record<string, string>;
  /**
   * Version 2, registered profile: whether git showed the lock committed (and unmodified) before this run opened the sealed
   * splits (`verified`, with the lock's commit) or could not tell (`unverifiable`: not in git). Null for other profiles.
   */
  lockOrder?: LockOrder | null;
  config: Record<string, unknown>;
  budget: Budget;
  status: 'ok' | 'diverged';
  divergence?: Divergence;
  /** Metrics per split; sealed splits only under the registered profile. Empty for a diverged run. */
  metrics: Partial<Record<SplitName, MetricValues>>;
  /** Per-example predictions of the sealed splits (registered profile only). */
  predictions: Partial<Record<'test' | 'shift', EncodedPredictions>>;
  numClasses: number;
  modelFingerprint: string | null;
  curve: EpochLog[];
  timings: { startedAt: string; finishedAt: string; trainSeconds: number; evaluateSeconds: number };
  environment: {
    node: string; platform: string; cpu: string; cores: number;
    backend: string; harnessVersion: string; gitCommit: string | null; gitDirty: boolean | null;
    /** Version 2: the harness's own git commit and dirty flag (the project's are gitCommit and gitDirty). */
    harnessCommit?: string | null; harnessDirty?: boolean | null;
    /**
     * Debian packages fetched without root into the project's cache that the run's worker used (the dataset, XGBoost,
     * OpenBLAS and their dependencies): package, version, architecture, sha256 of the `.deb` (checked against the
     * archive's index), the libraries' sha256 and what they were for. Absent when everything came from the system, and
     * in records written before it existed.
     */
    debianPackages?: (DebianPackageProvenance & { for: string })[];
    [key: string]: unknown;
  };
}

/**
 * The run key (record version 2): sha256 of the canonical JSON of exactly seven parts: the lock hash (null outside the
 * registered profile), `cellFiles` (sha256 of the canonical JSON of the cell's own file hashes, see `cellFileHashes`), the
 * cell config, the budget, the seed, the profile and the dataset (canonical JSON of its id and params). A stored record is
 * reused only when its key matches (DESIGN.md rule 3); harness version and backend are provenance, not key. Use
 * `runKeyFor` (harness/runIdentity.ts) to key a study's run.
 */
export function runKey(parts: { lockHash: string | null; cellFiles: string; config: unknown; budget: unknown; seed: number; profile: Profile; dataset: string }): string {
  // Only the seven named parts: a wider object (e.g. with provenance) must not change the key.
  const { lockHash, cellFiles, config, budget, seed, profile, dataset } = parts;
  return sha256(canonicalJson({ lockHash, cellFiles, config, budget, seed, profile, dataset }));
}

/**
 * The run key of version-1 records: sha256 of the canonical JSON of six parts (lock hash, config, budget, seed, profile,
 * dataset), without the cell's files. Kept so that version-1 records stay valid (see `findStoredRun`).
 */
export function runKeyVersion1(parts: { lockHash: string | null; config: unknown; budget: unknown; seed: number; profile: Profile; dataset: string }): string {
  const { lockHash, config, budget, seed, profile, dataset } = parts;
  return sha256(canonicalJson({ lockHash, config, budget, seed, profile, dataset }));
}

/** A study's stored records under one profile: the record of (cell, seed) whose key matches, or null. */
export type RecordLookup = (cell: string, seed: number) => RunRecord | null;

/** Folder holding a study's records for a profile. */
export function resultsDirectory(root: string, study: string, profile: Profile): string {
  return profile === 'registered' ? join(root, 'results', study) : join(root, 'results', `.${profile}`, study);
}

export function recordPath(root: string, study: string, profile: Profile, cell: string, seed: number): string {
  return join(resultsDirectory(root, study, profile), cell, `seed-${seed}.json`);
}

/** Reads a record; null when absent; throws {@link RunRecordError} when unreadable. */
export function readRecord(path: string): RunRecord | null {
  if (!existsSync(path)) return null;
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunRecordError(`run record ${path} is not valid JSON (${(error as Error).message}). Fix: restore it from git, or move it aside to rerun that run (it is never overwritten automatically).`);
  }
  if (!READABLE_SCHEMA_VERSIONS.includes(record?.schemaVersion)) {
    throw new RunRecordError(`run record ${path} has schemaVersion ${JSON.stringify(record?.schemaVersion)}, this harness reads ${READABLE_SCHEMA_VERSIONS.join(' and ')}. Fix: use the hypotest version that wrote it.`);
  }
  return record;
}

/**
 * Stores a record atomically. A record already at the path with another key (a changed config or
 * lock) is moved to `archive/` beside it first, never overwritten; one with the same key is kept and
 * the new one refused (a finished run is never recomputed).
 */
export function writeRecord(path: string, record: RunRecord): { archived: string | null } {
  let archived: string | null = null;
  const existing = existsSync(path) ? readRecordLoose(path) : null;
  if (existing && existing.key === record.key) {
    throw new RunRecordError(`run record ${path} already exists with the same key. A finished run is never recomputed. Fix: move it aside on purpose to rerun it.`);
  }
  if (existsSync(path)) {
    const archiveDir = join(dirname(path), 'archive');
    mkdirSync(archiveDir, { recursive: true });
    const stem = join(archiveDir, `${path.split('/').pop()!.replace(/\.json$/, '')}.${(existing?.key ?? 'unreadable').slice(0, 12)}.${Date.now()}`);
    // Two archivals of the same key in one millisecond must not overwrite each other.
    archived = `${stem}.json`;
    for (let n = 1; existsSync(archived); n++) archived = `${stem}-${n}.json`;
    renameSync(path, archived);
  }
  writeFileAtomic(path, JSON.stringify(record) + '\n');
  return { archived };
}

function readRecordLoose(path: string): RunRecord | null {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return null; }
}

/** One opening of a sealed split: appended to `results/<study>/audit.jsonl`. */
export interface AuditEntry {
  study: string;
  cell: string;
  seed: number;
  split: 'test' | 'shift';
  time: string;
  lockHash: string;
  modelFingerprint: string;
  examples: number;
}

export function auditPath(root: string, study: string): string {
  return join(root, 'results', study, 'audit.jsonl');
}

export function appendAudit(root: string, entry: AuditEntry): void {
  const path = auditPath(root, entry.study);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, JSON.stringify(entry) + '\n');
}

export function readAudit(root: string, study: string): AuditEntry[] {
  const path = auditPath(root, study);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
