import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HypotestError, RunRecordError } from './errors.ts';
import { readReruns, rerunLogPath } from './integrity.ts';
import { CORRUPT_DIR } from './moveAside.ts';
import { LOCK_FILE, type PreregLock } from './lock.ts';
import { findStoredRun } from './recordLookup.ts';
import { auditPath, readAuditLog, readRecord, resultsDirectory, sealedOpenings, type RunRecord } from './store.ts';
import type { Study } from './study.ts';
import { runGit } from './util.ts';

/** What `hypotest verify` found in a locked study's store: `checked` says what was checked, `problems` fail it, `notes` do not. */
export interface StoreCheck {
  checked: string[];
  problems: string[];
  notes: string[];
}

function git(cwd: string, args: string[]): string | null {
  const result = runGit(cwd, args);
  return result.ok ? result.stdout.toString().trim() : null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Checks the registered store of a locked study (`results/<study>/`), as `npx hypotest verify` does after the lock:
 *
 * - every record is readable and matches its checksum (records written before checksums existed are checked by their
 *   key alone), was made under this lock, sits at its own cell and seed, and is the record a rerun would reuse;
 * - the audit log: every entry complete and matching its checksum (a torn last entry is reported with file and line), of
 *   this study and lock; every sealed split a record reports was logged with the record's model fingerprint; repeat
 *   openings (a run that died after opening a sealed split, then ran again) are counted;
 * - git history: the commit that added the lock comes before (is an ancestor of) the first commit that added a result.
 *
 * Never writes.
 *
 * @example
 * const { checked, problems, notes } = verifyStore(root, study, lock);
 */
export function verifyStore(root: string, study: Study, lock: PreregLock): StoreCheck {
  const check: StoreCheck = { checked: [], problems: [], notes: [] };
  const results = resultsDirectory(root, study.name, 'registered');
  const show = (path: string) => relative(root, path);

  // Records.
  const records: RunRecord[] = [];
  let withChecksum = 0;
  const temporaries: string[] = [];
  const corrupt: string[] = [];
  let trials = 0;
  const cells = existsSync(results) ? readdirSync(results).filter((name) => statSync(join(results, name)).isDirectory()).sort() : [];
  for (const cell of cells) {
    // A searched arm's trials (`<cell>/search/trial-<k>.json`, validation only): read and checked like records.
    const searchDir = join(results, cell, 'search');
    for (const name of existsSync(searchDir) ? readdirSync(searchDir).filter((n) => n.endsWith('.json')).sort() : []) {
      const path = join(searchDir, name);
      try {
        const trial = readRecord(path);
        trials++;
        if (trial && trial.lockHash !== lock.hash) check.problems.push(`${show(path)} was made under lock ${String(trial.lockHash).slice(0, 12)}, not this lock ${lock.hash.slice(0, 12)}. Fix: restore results/${study.name}/ from the commit that ran this lock.`);
      } catch (error) {
        if (!(error instanceof RunRecordError)) throw error;
        check.problems.push(error.message);
      }
    }
    for (const name of readdirSync(join(results, cell)).sort()) {
      const path = join(results, cell, name);
      if (name.endsWith('.tmp')) temporaries.push(show(path));
      if (name === CORRUPT_DIR) corrupt.push(...readdirSync(path).map((file) => `${cell}/${CORRUPT_DIR}/${file}`));
      if (!name.endsWith('.json') || !statSync(path).isFile()) continue;
      let record: RunRecord | null;
      try {
        record = readRecord(path);
      } catch (error) {
        if (!(error instanceof RunRecordError)) throw error;
        check.problems.push(`${error.message} (a run of the cells moves it aside to ${cell}/${CORRUPT_DIR}/ and names the rerun.)`);
        continue;
      }
      if (!record) continue;
      records.push(record);
      if (record.checksum) withChecksum++;
      if (record.lockHash !== lock.hash) {
        check.problems.push(`${show(path)} was made under lock ${String(record.lockHash).slice(0, 12)}, not this lock ${lock.hash.slice(0, 12)}. Fix: restore results/${study.name}/ from the commit that ran this lock; a registered record of another lock is never judged.`);
      }
      if (record.study !== study.name || record.cell !== cell || name !== `seed-${record.seed}.json`) {
        check.problems.push(`${show(path)} holds the record of ${record.study}/${record.cell} seed ${record.seed}: not the run its path names. Fix: restore it from git; records are never moved by hand.`);
      }
    }
  }
  let current = 0;
  let missing = 0;
  const stale: string[] = [];
  const undecided = new Set<string>();
  for (const cell of study.cellIds) {
    for (const seed of study.seeds) {
      let found;
      try {
        found = findStoredRun(root, { study, cell, seed, profile: 'registered', lockHash: lock.hash });
      } catch (error) {
        if (error instanceof RunRecordError) continue; // reported above
        if (!(error instanceof HypotestError)) throw error;
        // E.g. a searched arm whose trials are not all stored yet: its seeds have no key until they are.
        missing++;
        if (!undecided.has(cell)) check.notes.push(`${cell}: ${error.name}: ${error.message}`);
        undecided.add(cell);
        continue;
      }
      if (found.record) current++;
      else if (existsSync(found.path)) stale.push(show(found.path));
      else missing++;
    }
  }
  const expected = study.cellIds.length * study.seeds.length;
  check.checked.push(
    `records: ${plural(records.length, 'record')}${trials > 0 ? ` and ${plural(trials, 'search trial')}` : ''} in ${show(results)}/ read; ${withChecksum} matched their checksums, ${records.length - withChecksum} written before checksums existed (checked by key); ` +
      `each checked against lock ${lock.hash.slice(0, 12)}, its cell and its seed; ${current} of ${expected} registered runs have the record a rerun reuses.`,
  );
  for (const path of stale) check.notes.push(`${path} was made with another run key (a recorded deviation changed what its cell trains): the next run archives it and trains again.`);
  if (missing > 0) check.notes.push(`${plural(missing, 'registered run')} ha${missing === 1 ? 's' : 've'} no record yet; the hypotheses stay incomplete until the cells run.`);
  if (temporaries.length > 0) check.notes.push(`${plural(temporaries.length, 'temporary file')} of interrupted writes (never read as records; safe to delete): ${temporaries.join(', ')}.`);
  if (corrupt.length > 0) {
    const rerun = new Set(readReruns(root, study.name).flatMap((r) => r.replaces));
    for (const copy of corrupt) {
      check.notes.push(`${show(join(results, copy))}: a record moved aside as corrupt, ${rerun.has(copy) ? `its rerun recorded in ${show(rerunLogPath(root, study.name))}` : 'neither restored nor rerun (the cell stops until one is done)'}.`);
    }
  }

  // Audit log.
  const log = readAuditLog(auditPath(root, study.name));
  for (const problem of log.problems) {
    const where = `${show(problem.file)}:${problem.line}`;
    if (problem.kind === 'torn-marked') check.notes.push(`${where}: a torn entry (a run died while appending it), marked by the next append; the entries around it are intact.`);
    else if (problem.kind === 'torn') check.problems.push(`${where}: a torn last entry (a run died while appending it): ${problem.text.slice(0, 60)}. Fix: run the cells again: the run resumes, and its next opening marks this line and starts on a new one.`);
    else check.problems.push(`${where}: ${problem.kind === 'checksum' ? 'an entry that does not match its checksum (changed after it was written)' : 'an unreadable entry'}. Fix: restore ${show(problem.file)} from git; an audit log is never edited.`);
  }
  const foreign = log.entries.filter((entry) => entry.study !== study.name || entry.lockHash !== lock.hash);
  for (const entry of foreign) check.problems.push(`${show(log.file)}:${entry.line}: an opening of ${entry.study} under lock ${String(entry.lockHash).slice(0, 12)}, not of '${study.name}' under this lock. Fix: restore the audit log from git.`);
  let logged = 0;
  let sealedSplits = 0;
  const fingerprints = new Map<string, string | null>();
  for (const record of records) {
    fingerprints.set(`${record.cell}\0${record.seed}`, record.modelFingerprint);
    for (const split of ['test', 'shift'] as const) {
      if (!record.metrics[split]) continue;
      sealedSplits++;
      if (log.entries.some((e) => e.cell === record.cell && e.seed === record.seed && e.split === split && e.modelFingerprint === record.modelFingerprint)) logged++;
      else check.problems.push(`${record.cell} seed ${record.seed}: its record reports the ${split} split, but ${show(log.file)} has no opening of it with the record's model fingerprint ${String(record.modelFingerprint).slice(0, 12)}: an unlogged sealed opening. Fix: restore the audit log from git; if it was never logged, the run must be rerun on purpose (npx hypotest rerun).`);
    }
  }
  const orphans = log.entries.filter((e) => fingerprints.get(`${e.cell}\0${e.seed}`) !== e.modelFingerprint);
  const openings = sealedOpenings(root, study.name);
  check.checked.push(
    `audit log ${show(log.file)}: ${plural(log.entries.length, 'entry', 'entries')} read (${log.entries.filter((e) => e.checksum).length} matched their checksums, ${log.entries.filter((e) => !e.checksum).length} written before checksums existed), ${plural(log.problems.length, 'damaged line')}; ` +
      `${logged} of ${sealedSplits} sealed splits in the records logged with their model fingerprints; ${plural(openings.repeated.length, 'split')} of a run opened more than once.`,
  );
  for (const repeat of openings.repeated) check.notes.push(`${repeat.cell} seed ${repeat.seed}: the ${repeat.split} split was opened ${repeat.openings} times (a run died after opening it, or was rerun on purpose); every opening is in the audit log and the reports.`);
  if (orphans.length > 0) check.notes.push(`${plural(orphans.length, 'opening')} by runs whose record is not in the store (they died before writing it, or it was moved aside): ${orphans.map((e) => `${e.cell} seed ${e.seed} ${e.split}`).join(', ')}.`);

  // Git history: the lock's commit before the first committed result.
  const studyDir = study.directory(root);
  const lockCommits = git(studyDir, ['log', '--format=%H', '--', LOCK_FILE]);
  if (lockCommits === null || git(root, ['rev-parse', '--is-inside-work-tree']) !== 'true') {
    check.checked.push('git history: order unverifiable (the study is not in a git work tree).');
  } else if (lockCommits === '') {
    check.checked.push(`git history: ${LOCK_FILE} is not committed yet, so no result can have come after it.`);
  } else {
    const lockCommit = lockCommits.split('\n').pop()!;
    const resultCommits = git(root, ['log', '--format=%H', '--diff-filter=A', '--', relative(root, results)]) ?? '';
    if (resultCommits === '') {
      check.checked.push(`git history: lock committed in ${lockCommit.slice(0, 10)}; no result of '${study.name}' is committed yet.`);
    } else {
      const firstResult = resultCommits.split('\n').pop()!;
      const before = firstResult !== lockCommit && git(root, ['merge-base', '--is-ancestor', lockCommit, firstResult]) !== null;
      if (before) check.checked.push(`git history: lock committed in ${lockCommit.slice(0, 10)}, before the first committed result (${firstResult.slice(0, 10)}).`);
      else check.problems.push(`git history: the first committed result (${firstResult.slice(0, 10)}) is not after the lock's commit (${lockCommit.slice(0, 10)}): nothing shows the lock came first. Fix: none by editing history; say so in the report (a deviation of the analysis: npx hypotest deviate ${study.name} --analysis --what "..." --why "...").`);
      const others = (git(root, ['show', '--name-only', '--format=', lockCommit]) ?? '').split('\n').filter((file) => file && !file.endsWith(`/${LOCK_FILE}`) && file !== LOCK_FILE && !file.endsWith('prereg.pdf'));
      if (others.length > 0) check.notes.push(`the lock's commit ${lockCommit.slice(0, 10)} also changed ${plural(others.length, 'other file')} (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}); a lock is best committed on its own.`);
    }
  }
  return check;
}
