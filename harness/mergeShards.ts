import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomic } from './atomicFile.ts';
import { ShardMergeError, UnlockedStudyError } from './errors.ts';
import { LOCK_FILE, readLock } from './lock.ts';
import { cellsFor, seedsFor } from './profile.ts';
import { findStoredRun } from './recordLookup.ts';
import { auditPath, readAuditLog, readRecord, resultsDirectory, writeRecord, type RunRecord } from './store.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';

/** Where Vitest's blob reporter writes by default (`.vitest-reports/blob-<i>-<n>.json`), and where `--merge-reports` reads. */
export const BLOB_REPORTS_DIR = '.vitest-reports';

export interface MergeShardsOptions {
  /** The hypotest root that receives the records (a checkout of the same commit the shards ran). */
  root: string;
  /** The study, as this root's `experiments/<study>/study.ts` defines it: the run keys are computed from this root's files. */
  study: Study;
  /** The shards' folders: each a copy of the repository (or its `results/`, `.vitest-reports/` and lock) after `vitest run --shard=i/n`. */
  shards: readonly string[];
  /** Which profile's records to gather. */
  profile: Profile;
}

/** What {@link mergeShards} did. Paths are relative to the root. */
export interface MergeReport {
  study: string;
  profile: Profile;
  lockHash: string | null;
  /** Per shard: its folder, how many of the study's records and audit entries it holds. */
  shards: { dir: string; records: number; auditEntries: number }[];
  /** Records copied into the store. */
  added: string[];
  /** Records a shard holds that the store already held byte for byte (carried in the copy, or merged before). */
  alreadyStored: number;
  /** Records of the store made with another key (another lock or code), moved aside to `archive/` before a shard's record took their place. */
  archived: string[];
  /** Audit entries appended to `results/<study>/audit.jsonl` (entries already there are not repeated). */
  auditAdded: number;
  /**
   * Blob reports copied into `.vitest-reports/` for `vitest --merge-reports`. A blob names its test files by absolute path;
   * one written in another folder has that folder's prefix replaced by this root's, so Vitest finds its files here.
   */
  blobs: string[];
  /** Pre-registered runs that still have no record after the merge (their hypotheses stay incomplete). */
  missing: { cell: string; seed: number }[];
}

interface ExpectedRun { cell: string; seed: number; key: string; path: string; stored: RunRecord | null }
interface Candidate { run: ExpectedRun; bytes: Buffer; shard: string; file: string }

/**
 * Gathers the records of a study sharded with Vitest's `--shard=i/n` (each shard in its own copy of the repository) into
 * this root's store, so that the hypotheses then run once on every run. Checks before writing anything: each shard's lock
 * (when it carries one) has this root's lock hash; every record is one of the study's pre-registered (cell, seed) runs of
 * the profile, was made under this root's lock and carries the run key this root computes for it (so every shard ran
 * the same cell code, config, budget and data); the same run never comes with different bytes from two shards or
 * differs from a record the store holds for it; every audit entry is complete, of this study and lock. Then it copies
 * the records (a stored record of another key is moved to `archive/`, as a rerun would; nothing is overwritten), appends
 * the audit entries the store lacks in time order, and copies the shards' blob reports into `.vitest-reports/`.
 * Merging again is harmless: what is stored already is skipped.
 *
 * @throws {ShardMergeError} on any failed check (nothing is written then); {@link UnlockedStudyError} when the registered
 *   profile is merged into an unlocked study; `RunRecordError` / `LockFileError` for unreadable records or locks.
 * @example
 * const report = mergeShards({ root, study, shards: ['shards/1', 'shards/2', 'shards/3'], profile: 'registered' });
 * for (const line of renderMergeReport(report)) console.log(line);
 */
export function mergeShards(options: MergeShardsOptions): MergeReport {
  const { root, study, profile } = options;
  if (options.shards.length === 0) throw new ShardMergeError(`hypotest merge ${study.name}: no shard folders given. Fix: npx hypotest merge ${study.name} <shard-dir>...`);
  const studyDir = study.directory(root);
  const lock = readLock(studyDir);
  if (profile === 'registered' && !lock) {
    throw new UnlockedStudyError(`hypotest merge ${study.name}: the study has no lock here, so registered records cannot be checked. Fix: merge into a checkout of the commit the shards ran (with experiments/${study.name}/${LOCK_FILE}).`);
  }
  const lockHash = profile === 'registered' ? lock!.hash : null;

  const expected = new Map<string, ExpectedRun>();
  for (const cell of cellsFor(study, profile)) {
    for (const seed of seedsFor(study, profile)) {
      const { key, path, record } = findStoredRun(root, { study, cell, seed, profile, lockHash });
      expected.set(relative(resultsDirectory(root, study.name, profile), path), { cell, seed, key, path, stored: record });
    }
  }

  const candidates = new Map<string, Candidate>();
  const newAuditLines: { line: string; time: string }[] = [];
  const targetAudit = profile === 'registered' ? readAuditLines(auditPath(root, study.name), { target: true }) : [];
  const knownAudit = new Set(targetAudit);
  const shardSummaries: MergeReport['shards'] = [];
  const blobSources = new Map<string, { path: string; text: string }>();
  let alreadyStored = 0;

  for (const shardArgument of options.shards) {
    const shard = resolve(root, shardArgument);
    if (!existsSync(shard) || !statSync(shard).isDirectory()) throw new ShardMergeError(`shard folder ${shardArgument} does not exist. Fix: pass the folders the shards ran in (or where their results/ were copied).`);
    if (shard === resolve(root)) throw new ShardMergeError(`shard folder ${shardArgument} is this root itself. Fix: merge other folders into this one.`);
    const shardLockPath = join(shard, 'experiments', study.name, LOCK_FILE);
    if (lockHash && existsSync(shardLockPath)) {
      const shardLock = readLock(join(shard, 'experiments', study.name))!;
      if (shardLock.hash !== lockHash) {
        throw new ShardMergeError(`shard ${shardArgument} ran under lock ${shardLock.hash.slice(0, 12)}, this root's lock is ${lockHash.slice(0, 12)}. Fix: run every shard from the commit of this lock.`);
      }
    }

    let records = 0;
    const shardResults = resultsDirectory(shard, study.name, profile);
    for (const file of recordFiles(shardResults)) {
      const run = expected.get(file);
      const path = join(shardResults, file);
      if (!run) throw new ShardMergeError(`${path} is not a pre-registered run of study '${study.name}' (${profile} profile: cells ${cellsFor(study, profile).join(', ')}; seeds ${seedsFor(study, profile).join(', ')}). Fix: remove it from the shard, or merge the profile it belongs to (--profile).`);
      const bytes = readFileSync(path);
      const record = readRecord(path)!;
      records++;
      if (record.study !== study.name || record.cell !== run.cell || record.seed !== run.seed || record.profile !== profile) {
        throw new ShardMergeError(`${path} holds the record of ${record.study}/${record.cell} seed ${record.seed} (${record.profile}), not of the path's run ${study.name}/${run.cell} seed ${run.seed} (${profile}). Fix: restore the shard's results from its run; records are never moved by hand.`);
      }
      if (existsSync(run.path) && readFileSync(run.path).equals(bytes)) {
        alreadyStored++;
        continue;
      }
      if (record.lockHash !== lockHash) {
        throw new ShardMergeError(`${path} was made under lock ${String(record.lockHash).slice(0, 12)}, this root's lock is ${String(lockHash).slice(0, 12)}. Fix: rerun that shard from the commit of this lock.`);
      }
      if (record.schemaVersion !== 2) {
        throw new ShardMergeError(`${path} is a version-${record.schemaVersion} record that this store does not hold. Shards write version 2; a version-1 record belongs to the store it was made in. Fix: merge into that store, or remove it from the shard.`);
      }
      if (record.key !== run.key) {
        throw new ShardMergeError(`${path} has run key ${record.key.slice(0, 12)}, this root computes ${run.key.slice(0, 12)} for ${run.cell} seed ${run.seed}: the shard ran other cell code, config, budget or data. Fix: run every shard from the same commit as this root.`);
      }
      const earlier = candidates.get(file);
      if (earlier && !earlier.bytes.equals(bytes)) {
        throw new ShardMergeError(`${run.cell} seed ${run.seed} was run by two shards with different results: ${earlier.file} and ${path}. Fix: each run belongs to exactly one shard (same n and distinct i in --shard=i/n); keep one shard's record and remove the other.`);
      }
      if (run.stored) {
        throw new ShardMergeError(`${run.cell} seed ${run.seed}: the store already holds this run (${relative(root, run.path)}) with different bytes from ${path}. A finished run is never replaced. Fix: keep the stored record and remove the shard's, or move the stored one aside on purpose.`);
      }
      candidates.set(file, { run, bytes, shard: shardArgument, file: path });
    }

    let auditEntries = 0;
    if (profile === 'registered') {
      for (const line of readAuditLines(auditPath(shard, study.name), { target: false })) {
        const file = auditPath(shard, study.name);
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.study !== study.name || entry.lockHash !== lockHash || !study.cellIds.includes(String(entry.cell)) || !study.seeds.includes(Number(entry.seed))) {
          throw new ShardMergeError(`${file}: entry ${line.slice(0, 120)} is not an opening of study '${study.name}' under lock ${String(lockHash).slice(0, 12)}. Fix: run every shard from the commit of this lock; an audit log is never edited.`);
        }
        auditEntries++;
        if (knownAudit.has(line)) continue;
        knownAudit.add(line);
        newAuditLines.push({ line, time: String(entry.time) });
      }
    }

    const blobDir = join(shard, BLOB_REPORTS_DIR);
    if (existsSync(blobDir)) {
      for (const name of readdirSync(blobDir).filter((n) => n.endsWith('.json')).sort()) {
        const earlier = blobSources.get(name);
        const text = rootedBlob(readFileSync(join(blobDir, name), 'utf8'), study.name, resolve(root));
        if (earlier && earlier.text !== text) {
          throw new ShardMergeError(`two shards wrote the blob report ${name} (${earlier.path} and ${join(blobDir, name)}): two shards ran with the same --shard=i/n. Fix: give each shard its own i.`);
        }
        blobSources.set(name, { path: join(blobDir, name), text });
      }
    }
    shardSummaries.push({ dir: shardArgument, records, auditEntries });
  }

  // Every check passed: write. A merge interrupted here is finished by merging again (what is stored is skipped).
  const added: string[] = [];
  const archived: string[] = [];
  for (const { run, bytes } of [...candidates.values()].sort((a, b) => a.run.path.localeCompare(b.run.path))) {
    if (existsSync(run.path)) {
      // The store holds a record of this path made with another key: moved aside, as a rerun of the cell would.
      const result = writeRecord(run.path, JSON.parse(bytes.toString('utf8')) as RunRecord);
      if (result.archived) archived.push(relative(root, result.archived));
    } else if (!writeFileAtomic(run.path, bytes.toString('utf8'), { exclusive: true })) {
      throw new ShardMergeError(`${relative(root, run.path)} appeared while merging (another merge or run writes this store). Fix: merge again when it has finished.`);
    }
    added.push(relative(root, run.path));
  }
  if (newAuditLines.length > 0) {
    const path = auditPath(root, study.name);
    mkdirSync(join(path, '..'), { recursive: true });
    const ordered = newAuditLines.map((entry, index) => ({ ...entry, index })).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.index - b.index));
    appendFileSync(path, ordered.map((entry) => entry.line + '\n').join(''));
  }
  const blobs: string[] = [];
  if (blobSources.size > 0) {
    mkdirSync(join(root, BLOB_REPORTS_DIR), { recursive: true });
    for (const [name, { text }] of blobSources) {
      writeFileAtomic(join(root, BLOB_REPORTS_DIR, name), text);
      blobs.push(join(BLOB_REPORTS_DIR, name));
    }
  }
  const missing = [...expected.values()].filter((run) => !run.stored && ![...candidates.values()].some((c) => c.run === run)).map(({ cell, seed }) => ({ cell, seed }));
  return { study: study.name, profile, lockHash, shards: shardSummaries, added, alreadyStored, archived, auditAdded: newAuditLines.length, blobs, missing };
}

/**
 * A blob report's text with the folder its shard ran in replaced by `root`. The folder is read off the absolute path of a
 * cell file of the study in the blob (`<folder>/experiments/<study>/cells/<cell>.exp.ts`); a blob from a shard that ran at
 * the same path (a CI matrix checks out at one path on every machine) is returned unchanged.
 */
function rootedBlob(text: string, study: string, root: string): string {
  const escapedStudy = study.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`"(/[^"]*?)/experiments/${escapedStudy}/cells/[^"/]+\\.exp\\.ts"`).exec(text);
  if (!match || match[1] === root) return text;
  const from = JSON.stringify(match[1] + '/').slice(1, -1);
  const to = JSON.stringify(root + '/').slice(1, -1);
  return text.split(from).join(to);
}

/** The record files under a study's results folder, relative to it (`<cell>/seed-<n>.json`); archives and temporary files are the shard's own history. */
function recordFiles(resultsDir: string): string[] {
  if (!existsSync(resultsDir)) return [];
  const files: string[] = [];
  for (const cell of readdirSync(resultsDir, { withFileTypes: true })) {
    if (!cell.isDirectory()) continue;
    for (const file of readdirSync(join(resultsDir, cell.name)).sort()) {
      if (/^seed-.+\.json$/.test(file)) files.push(join(cell.name, file));
    }
  }
  return files.sort();
}

/**
 * The complete entries of an audit log, as their lines. A torn last entry (a crash mid-append), an unreadable line or an
 * entry that does not match its checksum is refused with its file and line; a torn line that a later append already
 * marked (the shard resumed after the crash) is the shard's own history and skipped, with its mark. A store's log whose
 * last line lacks its newline is refused too (an append would glue the next entry onto it).
 */
function readAuditLines(path: string, options: { target: boolean }): string[] {
  if (!existsSync(path)) return [];
  const log = readAuditLog(path);
  const bad = log.problems.find((problem) => problem.kind !== 'torn-marked');
  if (bad) {
    const what = bad.kind === 'torn' ? 'a torn last entry (the run died while appending it)' : bad.kind === 'checksum' ? 'an entry that does not match its checksum' : 'an unreadable entry';
    throw new ShardMergeError(`${path}:${bad.line}: ${what}: ${bad.text.slice(0, 80)}. Fix: ${options.target ? 'repair this store\'s audit log first' : 'rerun that shard (it resumes, and its next opening marks the torn line), or move its audit log aside and say so'}; an audit entry is never dropped silently.`);
  }
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (options.target && text !== '' && !text.endsWith('\n')) {
    throw new ShardMergeError(`${path}:${lines.length}: the last entry has no newline, so an appended entry would be glued onto it. Fix: repair this store's audit log first.`);
  }
  return log.entries.map((entry) => lines[entry.line - 1]);
}

/** The merge as lines for the terminal: what was gathered, what was already there, what is still missing and what to run next. */
export function renderMergeReport(report: MergeReport): string[] {
  const lines = report.shards.map((shard) => `shard ${shard.dir}: ${shard.records} record${shard.records === 1 ? '' : 's'}${report.profile === 'registered' ? `, ${shard.auditEntries} audit entr${shard.auditEntries === 1 ? 'y' : 'ies'}` : ''}`);
  lines.push(`merged '${report.study}' (${report.profile} profile${report.lockHash ? `, lock ${report.lockHash.slice(0, 12)}` : ''}): ${report.added.length} record${report.added.length === 1 ? '' : 's'} added, ${report.alreadyStored} already stored, ${report.auditAdded} audit entr${report.auditAdded === 1 ? 'y' : 'ies'} appended.`);
  for (const path of report.archived) lines.push(`archived a record of another key: ${path}`);
  if (report.blobs.length > 0) lines.push(`copied ${report.blobs.length} blob report${report.blobs.length === 1 ? '' : 's'} to ${BLOB_REPORTS_DIR}/: \`npx vitest run --merge-reports\` shows the cells' tests as one run.`);
  if (report.missing.length > 0) {
    lines.push(`still missing ${report.missing.length} run${report.missing.length === 1 ? '' : 's'}: ${report.missing.map((run) => `${run.cell} seed ${run.seed}`).join(', ')}; their hypotheses stay incomplete. Fix: run the shard that holds them and merge again.`);
  } else {
    lines.push(`every pre-registered run is stored: judge once with \`npx vitest run --project hypotheses\`${report.profile === 'registered' ? '' : ` (HYPOTEST_PROFILE=${report.profile})`}.`);
  }
  return lines;
}
