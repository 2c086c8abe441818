import { appendFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CORRUPT_DIR, moveAside } from './moveAside.ts';
import { CorruptRecordError, RunRecordError } from './errors.ts';
import { findStoredRun, type StoredRun } from './recordLookup.ts';
import type { RunIdentity } from './runIdentity.ts';
import { auditEntryChecksum, readRecord, recordPath, resultsDirectory } from './store.ts';
import type { Study } from './study.ts';

/** The log of explicit reruns of registered runs: `results/<study>/reruns.jsonl`. */
export function rerunLogPath(root: string, study: string): string {
  return join(root, 'results', study, 'reruns.jsonl');
}

/** One explicit, recorded rerun of a registered run (`npx hypotest rerun`), in `results/<study>/reruns.jsonl`. */
export interface RerunEntry {
  study: string;
  cell: string;
  seed: number;
  why: string;
  time: string;
  /** The records moved aside that this rerun replaces, relative to the study's results folder (`a0-b0/corrupt/seed-1.<time>.json`). */
  replaces: string[];
  checksum: string;
}

/** The recorded reruns of a study (lines that are not valid entries are skipped; `hypotest verify` reports them). */
export function readReruns(root: string, study: string): RerunEntry[] {
  const path = rerunLogPath(root, study);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    try {
      const entry = JSON.parse(line) as RerunEntry;
      return entry.checksum === auditEntryChecksum(entry as unknown as Record<string, unknown>) ? [entry] : [];
    } catch {
      return [];
    }
  });
}

/** Records of a run moved aside as corrupt, relative to the study's results folder. */
function corruptCopies(root: string, study: string, profile: RunIdentity['profile'], cell: string, seed: number): string[] {
  const dir = join(resultsDirectory(root, study, profile), cell, CORRUPT_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.startsWith(`seed-${seed}.`) && name.endsWith('.json')).sort().map((name) => `${cell}/${CORRUPT_DIR}/${name}`);
}

function rerunCommand(study: string, cell: string, seed: number): string {
  return `npx hypotest rerun ${study} --cell ${cell} --seed ${seed} --why "..."`;
}

/**
 * Finds the stored record of a run that is about to train (what a cell calls): {@link findStoredRun}, plus what to do
 * when the record is damaged. A corrupt record (not JSON, or its checksum does not match) is moved aside to `corrupt/`
 * and reported; a quick or pilot run is then trained again, while a registered run stops: training it again would reopen
 * its sealed splits, which only an explicit, recorded rerun may do (`npx hypotest rerun`, DESIGN.md rule 3). A registered
 * run whose record was moved aside earlier stops the same way until the record is restored or the rerun recorded.
 *
 * @throws {CorruptRecordError} for a registered run with a corrupt record (moved aside) or one moved aside and not rerun.
 * @example
 * const { record, key, path } = findRunToTrain(root, { study, cell: 'a0-b0', seed: 1, profile: 'registered', lockHash })
 */
export function findRunToTrain(root: string, run: RunIdentity): StoredRun & { movedAside: string | null } {
  const { study, cell, seed, profile } = run;
  const results = resultsDirectory(root, study.name, profile);
  let movedAside: string | null = null;
  let reason = '';
  try {
    const found = findStoredRun(root, run);
    if (found.record || profile !== 'registered') return { ...found, movedAside };
  } catch (error) {
    if (!(error instanceof CorruptRecordError)) throw error;
    movedAside = moveAside(error.path);
    reason = error.message;
  }
  const path = recordPath(root, study.name, profile, cell, seed);
  const shown = relative(root, path);
  if (movedAside && profile !== 'registered') {
    process.stderr.write(`hypotest: ${reason.replace(/ Fix: .*$/, '')} Moved to ${relative(root, movedAside)} (kept, never deleted); this ${profile}-profile run is trained again.\n`);
    return { ...findStoredRun(root, run), movedAside };
  }
  const covered = new Set(readReruns(root, study.name).filter((r) => r.cell === cell && r.seed === seed).flatMap((r) => r.replaces));
  const uncovered = corruptCopies(root, study.name, profile, cell, seed).filter((copy) => !covered.has(copy));
  if (uncovered.length === 0) return { ...findStoredRun(root, run), movedAside };
  const what = movedAside
    ? `${reason.replace(/ Fix: .*$/, '')} It was moved to ${relative(root, movedAside)} (kept, never deleted).`
    : `the registered record ${shown} was moved aside as corrupt (${uncovered.map((c) => relative(root, join(results, c))).join(', ')}) and neither restored nor rerun.`;
  throw new CorruptRecordError(
    `study '${study.name}', cell ${cell} seed ${seed}: ${what} A registered run is never recomputed silently: training it again opens its sealed splits again. ` +
      `Fix: restore the record to ${shown} (git checkout -- ${shown}, or from a backup), or record the rerun on purpose: ${rerunCommand(study.name, cell, seed)} ` +
      `(logged in ${relative(root, rerunLogPath(root, study.name))}; the next run trains it, and its repeat sealed opening is counted in the reports).`,
    path,
  );
}

/**
 * Records an explicit rerun of a registered run (`npx hypotest rerun`): moves the record aside when one is there (to
 * `corrupt/` when it is damaged, else to `archive/`), and logs the rerun, the reason and the records it replaces in
 * `results/<study>/reruns.jsonl`, so that the next run trains it again and reopens its sealed splits, visibly.
 *
 * @throws {RunRecordError} when the cell or seed is not a registered run of the study, or `why` is empty.
 * @example
 * recordRerun(root, study, 'a0-b0', 1, 'record corrupted by a disk error; no backup')
 */
export function recordRerun(root: string, study: Study, cell: string, seed: number, why: string): { entry: RerunEntry; movedAside: string | null } {
  if (!study.cellIds.includes(cell) || !study.seeds.includes(seed)) {
    throw new RunRecordError(`hypotest rerun ${study.name}: ${cell} seed ${seed} is not a registered run (cells ${study.cellIds.join(', ')}; seeds ${study.seeds.join(', ')}). Fix: name a declared cell and a registered seed.`);
  }
  if (!why.trim()) throw new RunRecordError(`hypotest rerun ${study.name}: --why is empty. Fix: say why the run is rerun; it is kept in the rerun log and shown with the repeat opening.`);
  const path = recordPath(root, study.name, 'registered', cell, seed);
  let movedAside: string | null = null;
  if (existsSync(path)) {
    let corrupt = false;
    try {
      readRecord(path);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      corrupt = true;
    }
    if (corrupt) {
      movedAside = moveAside(path);
    } else {
      const dir = join(dirname(path), 'archive');
      mkdirSync(dir, { recursive: true });
      movedAside = join(dir, `seed-${seed}.rerun.${Date.now()}.json`);
      linkSync(path, movedAside);
      unlinkSync(path);
    }
  }
  const results = resultsDirectory(root, study.name, 'registered');
  const body = { study: study.name, cell, seed, why, time: new Date().toISOString(), replaces: corruptCopies(root, study.name, 'registered', cell, seed) };
  const entry: RerunEntry = { ...body, checksum: auditEntryChecksum(body) };
  mkdirSync(results, { recursive: true });
  appendFileSync(rerunLogPath(root, study.name), JSON.stringify(entry) + '\n');
  return { entry, movedAside };
}
