import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CorruptRecordError, RunRecordError } from './errors.ts';
import { faultPoint } from './faults.ts';
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
  /**
   * Metrics of each group of a sealed split whose examples are grouped (the shift split of registered corruptions:
   * one entry per corruption, e.g. `groupMetrics.shift['gaussian-blur-3']`); `metrics.shift` is the pooled value.
   * Absent when no split has groups.
   */
  groupMetrics?: Partial<Record<'test' | 'shift', Record<string, MetricValues>>>;
  /** Per-example predictions of the sealed splits (registered profile only). */
  predictions: Partial<Record<'test' | 'shift', EncodedPredictions>>;
  numClasses: number;
  modelFingerprint: string | null;
  curve: EpochLog[];
  timings: { startedAt: string; finishedAt: string; trainSeconds: number; evaluateSeconds: number };
  /**
   * `sha256:<hex>` of the canonical JSON of every other field ({@link recordChecksum}), written since integrity checks
   * existed; a record without one (written before) stays valid and is checked by its key alone.
   */
  checksum?: string;
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

/**
 * The checksum a record carries: `sha256:` and the sha256 of the canonical JSON of the record without its `checksum`
 * field (so key order and whitespace do not matter, and any changed value does).
 *
 * @example
 * recordChecksum(record) === record.checksum // true for an intact record
 */
export function recordChecksum(record: RunRecord): string {
  const { checksum: _omitted, ...body } = record;
  return `sha256:${sha256(canonicalJson(body))}`;
}

/**
 * Reads a record; null when absent. A record that carries a checksum must match it; one written before checksums
 * existed (no `checksum` field) is read as it is.
 *
 * @throws {CorruptRecordError} when the file is not JSON or its checksum does not match (the message names the fix);
 *   {@link RunRecordError} for a schema version this harness does not read.
 */
export function readRecord(path: string): RunRecord | null {
  if (!existsSync(path)) return null;
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CorruptRecordError(`run record ${path} is not valid JSON (${(error as Error).message}). Fix: restore it from git, or move it aside to rerun that run (it is never overwritten automatically).`, path);
  }
  if (!READABLE_SCHEMA_VERSIONS.includes(record?.schemaVersion)) {
    throw new RunRecordError(`run record ${path} has schemaVersion ${JSON.stringify(record?.schemaVersion)}, this harness reads ${READABLE_SCHEMA_VERSIONS.join(' and ')}. Fix: use the hypotest version that wrote it.`);
  }
  if (record.checksum !== undefined && record.checksum !== recordChecksum(record)) {
    throw new CorruptRecordError(`run record ${path} does not match its checksum (${String(record.checksum).slice(0, 19)}…): its bytes changed after it was written. Fix: restore it from git, or move it aside to rerun that run (it is never overwritten automatically).`, path);
  }
  return record;
}

/**
 * Stores a record atomically, with its checksum ({@link recordChecksum}). A record already at the path with another key
 * (a changed config or lock) is moved to `archive/` beside it first, never overwritten; one with the same key is kept
 * and the new one refused (a finished run is never recomputed). The record appears under its name in one step (a hard
 * link of a complete, fsynced temporary file), and only if no other writer put one there first, so two workers or
 * shards writing one store never clobber each other: the later one sees the earlier record and archives or refuses.
 *
 * @throws {RunRecordError} when a record with the same key is stored already.
 */
export function writeRecord(path: string, record: RunRecord): { archived: string | null } {
  faultPoint('record-write-before');
  const { checksum: _stale, ...body } = record;
  const text = JSON.stringify({ ...body, checksum: recordChecksum(record) }) + '\n';
  let archived: string | null = null;
  for (;;) {
    const existing = existsSync(path) ? readRecordLoose(path) : null;
    if (existing && existing.key === record.key) {
      throw new RunRecordError(`run record ${path} already exists with the same key. A finished run is never recomputed. Fix: move it aside on purpose to rerun it.`);
    }
    if (existsSync(path)) {
      const archiveDir = join(dirname(path), 'archive');
      mkdirSync(archiveDir, { recursive: true });
      const stem = join(archiveDir, `${path.split('/').pop()!.replace(/\.json$/, '')}.${(existing?.key ?? 'unreadable').slice(0, 12)}.${Date.now()}`);
      // Two archivals of the same key in one millisecond must not overwrite each other.
      let target = `${stem}.json`;
      for (let n = 1; existsSync(target); n++) target = `${stem}-${n}.json`;
      try {
        renameSync(path, target);
        archived = target;
      } catch (error) {
        // Another writer moved it first: look again.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (writeFileAtomic(path, text, { exclusive: true, fault: 'record-write-during' })) break;
    // Another writer stored a record here between the check and the write: decide again against it.
  }
  faultPoint('record-write-after');
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

/** `sha256:` and the sha256 of an audit entry's canonical JSON without its `checksum`; every entry written now carries it. */
export function auditEntryChecksum(entry: Record<string, unknown>): string {
  const { checksum: _omitted, ...body } = entry;
  return `sha256:${sha256(canonicalJson(body))}`;
}

/**
 * The line an audit log gets when an append finds its last entry torn (a run died while appending it): the torn line's
 * number and a prefix of its text. The torn line is kept as it was, the next entry starts on its own line, and readers
 * know the torn line was seen.
 */
export interface TornEntryMark {
  kind: 'torn-entry';
  line: number;
  text: string;
  detectedAt: string;
  checksum: string;
}

/**
 * Appends one opening to `results/<study>/audit.jsonl` as one JSON line with its checksum ({@link auditEntryChecksum}), in
 * one write. When the log's last entry is torn (no newline: a run died mid-append), the append first ends that line,
 * adds a {@link TornEntryMark} naming it, and says on stderr which file and line were torn; the torn bytes are never
 * rewritten and never glued onto the new entry.
 */
export function appendAudit(root: string, entry: AuditEntry): void {
  const path = auditPath(root, entry.study);
  mkdirSync(dirname(path), { recursive: true });
  const line = JSON.stringify({ ...entry, checksum: auditEntryChecksum(entry as unknown as Record<string, unknown>) }) + '\n';
  const torn = tornTail(path);
  let prefix = '';
  if (torn) {
    const mark = { kind: 'torn-entry', line: torn.line, text: torn.text.slice(0, 200), detectedAt: new Date().toISOString() };
    prefix = `\n${JSON.stringify({ ...mark, checksum: auditEntryChecksum(mark) })}\n`;
    process.stderr.write(`hypotest: ${path}:${torn.line}: a torn last audit entry (a run died while appending it): kept as it is and marked; the next entry starts on its own line.\n`);
  }
  faultPoint('audit-append-during', () => appendFileSync(path, prefix + line.slice(0, Math.max(1, line.length >> 1))));
  appendFileSync(path, prefix + line);
}

/** The last line of a file when it lacks its newline (a torn append), with its 1-based number; null otherwise. */
function tornTail(path: string): { line: number; text: string } | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return null;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return null;
  } finally {
    closeSync(fd);
  }
  const lines = readFileSync(path, 'utf8').split('\n');
  return { line: lines.length, text: lines[lines.length - 1] };
}

/** A line of an audit log that is not a valid entry, with where it is. */
export interface AuditProblem {
  file: string;
  line: number;
  /**
   * `torn`: not JSON, the last line without its newline (a run died mid-append; the next append marks it);
   * `torn-marked`: not JSON, followed by the mark a later append wrote (seen and kept; harmless);
   * `unreadable`: not JSON anywhere else; `checksum`: JSON whose checksum does not match (changed after it was written).
   */
  kind: 'torn' | 'torn-marked' | 'unreadable' | 'checksum';
  text: string;
}

/** An audit log read line by line: its valid entries (with their line numbers) and every line that is not one. */
export interface AuditLog {
  file: string;
  entries: (AuditEntry & { line: number; checksum?: string })[];
  /** Marks of torn entries written by later appends. */
  marks: (TornEntryMark & { at: number })[];
  problems: AuditProblem[];
}

/**
 * Reads an audit log without ever throwing on its content: every complete entry stays readable whatever happened to the
 * lines around it. Entries with a checksum are checked; entries written before checksums existed are kept as they are.
 *
 * @example
 * const { entries, problems } = readAuditLog(auditPath(root, 'ablation'));
 * for (const p of problems) console.log(`${p.file}:${p.line}: ${p.kind}`);
 */
export function readAuditLog(file: string): AuditLog {
  const log: AuditLog = { file, entries: [], marks: [], problems: [] };
  if (!existsSync(file)) return log;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  const unparsed: { line: number; text: string }[] = [];
  lines.forEach((raw, index) => {
    if (raw === '') return;
    const line = index + 1;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    } catch {
      unparsed.push({ line, text: raw });
      return;
    }
    if (value.checksum !== undefined && value.checksum !== auditEntryChecksum(value)) {
      log.problems.push({ file, line, kind: 'checksum', text: raw.slice(0, 200) });
      return;
    }
    if (value.kind === 'torn-entry') log.marks.push({ ...(value as unknown as TornEntryMark), at: line });
    else log.entries.push({ ...(value as unknown as AuditEntry), line });
  });
  const marked = new Set(log.marks.map((m) => m.line));
  for (const { line, text: raw } of unparsed) {
    const kind = marked.has(line) ? 'torn-marked' : !endsClean && line === lines.length ? 'torn' : 'unreadable';
    log.problems.push({ file, line, kind, text: raw.slice(0, 200) });
  }
  log.problems.sort((a, b) => a.line - b.line);
  return log;
}

/** The valid openings in a study's audit log, in order, without their checksums (see {@link readAuditLog} for problems). */
export function readAudit(root: string, study: string): AuditEntry[] {
  return readAuditLog(auditPath(root, study)).entries.map(({ line: _line, checksum: _checksum, ...entry }) => entry as AuditEntry);
}

/** How often each (cell, seed, split) was opened: more than once when a run died after its opening and was run again. */
export interface SealedOpenings {
  /** Valid audit entries. */
  entries: number;
  /** Distinct (cell, seed, split) opened. */
  opened: number;
  /** Every (cell, seed, split) opened more than once, with the count. */
  repeated: { cell: string; seed: number; split: 'test' | 'shift'; openings: number }[];
  /** Lines of the log that are not valid entries (torn, unreadable, changed), with file and line. */
  problems: AuditProblem[];
}

/**
 * Counts the sealed openings in a study's audit log, so that a repeat opening (a run that opened a sealed split and
 * died before its record was written, then ran again) is shown in the reports, never hidden.
 *
 * @example
 * sealedOpenings(root, 'toy').repeated // [{ cell: 'a0-b0', seed: 1, split: 'test', openings: 2 }]
 */
export function sealedOpenings(root: string, study: string): SealedOpenings {
  const log = readAuditLog(auditPath(root, study));
  const counts = new Map<string, { cell: string; seed: number; split: 'test' | 'shift'; openings: number }>();
  for (const entry of log.entries) {
    if (entry.study !== study) continue;
    const id = `${entry.cell}\0${entry.seed}\0${entry.split}`;
    const known = counts.get(id) ?? { cell: entry.cell, seed: entry.seed, split: entry.split, openings: 0 };
    known.openings++;
    counts.set(id, known);
  }
  const repeated = [...counts.values()].filter((c) => c.openings > 1)
    .sort((a, b) => a.cell.localeCompare(b.cell) || a.seed - b.seed || a.split.localeCompare(b.split));
  return { entries: log.entries.length, opened: counts.size, repeated, problems: log.problems };
}
