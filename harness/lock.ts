import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  AlreadyLockedError, DeviationError, IncompletePreregistrationError, LockFileError, LockMismatchError, MissingCellFileError, UnknownStudyError, UnlockedStudyError,
} from './errors.ts';
import { lockOrder, type LockOrder } from './lockOrder.ts';
import { HARNESS_DIR, hashStudyFiles, preregistrationFiles as studyPreregistrationFiles } from './studyFiles.ts';
import { writeFileAtomic } from './atomicFile.ts';
import { canonicalJson, gitState, HARNESS_VERSION, sha256 } from './util.ts';
import { CURRENT_VERDICT_RULE, type VerdictRule } from './stats/judge.ts';

/** The pre-registration lock, `experiments/<study>/prereg.lock.json`. */
export interface PreregLock {
  /** 1: the study's modules only; 2 (this harness): also every project file outside `harness/` they import, and the harness commit. Both stay valid. */
  schemaVersion: 1 | 2;
  study: string;
  /** sha256 over the sorted file hashes; the identity of the registration. Part of every run key. */
  hash: string;
  files: Record<string, string>;
  dataset: { id: string; fingerprint: string };
  lockedAt: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  harnessVersion: string;
  /** The harness's own git commit at the lock and whether its work tree had changes (null outside git); absent in schemaVersion 1. */
  harnessCommit?: string | null;
  harnessDirty?: boolean | null;
  /** Version of the verdict rule the study registered (see `VerdictRule`); absent in locks made before it was recorded, which means 1. */
  verdictRule?: VerdictRule;
}

/** One recorded change to a pre-registration file after the lock. */
export interface Deviation {
  /** The file, relative to the study folder, e.g. `hypotheses.exp.ts`. */
  file: string;
  /** sha256 of the file as changed; a later edit needs a new deviation. */
  sha256: string;
  what: string;
  why: string;
  when: string;
}

/**
 * One recorded change to the analysis after the lock, not tied to a file (`kind: 'analysis'` in deviations.json), e.g.
 * adopting a later verdict rule: `npx hypotest deviate <study> --analysis --what "..." --why "..."`.
 */
export interface AnalysisDeviation {
  kind: 'analysis';
  /** The verdict rule adopted from then on (the harness's rule when recorded); null when the deviation does not change it. */
  verdictRule: VerdictRule | null;
  what: string;
  why: string;
  when: string;
}

/** What {@link readLockStatus} finds: the lock, the recorded deviations and every change since the lock. */
export interface LockStatus {
  lock: PreregLock;
  deviations: Deviation[];
  /** Recorded deviations of the analysis (not of a file), oldest first. */
  analysisDeviations: AnalysisDeviation[];
  /** Files changed (or added, or removed) since the lock, each with the deviation that covers it, if any. */
  changes: { file: string; kind: 'changed' | 'added' | 'removed'; current: string | null; deviation?: Deviation }[];
  /** Declared cells without a `cells/<cell>.exp.ts` (only when the check was given the study's cells); any makes `ok` false. */
  missingCells?: string[];
  ok: boolean;
  /** Whether git shows the lock came first (only from `assertLockHolds(..., { openSealed: true })`). */
  order?: LockOrder;
}

export const LOCK_FILE = 'prereg.lock.json';
export const DEVIATIONS_FILE = 'deviations.json';

/**
 * The pre-registration files of a study folder, relative to it: study.ts, hypotheses.exp.ts, the sorted cells/*.exp.ts,
 * then every project file outside `harness/` that they import, directly or indirectly (e.g. `../common.ts`).
 */
export function preregistrationFiles(studyDir: string): string[] {
  return studyPreregistrationFiles(studyDir);
}

/** sha256 of every pre-registration file. */
export function hashPreregistration(studyDir: string): Record<string, string> {
  return hashStudyFiles(studyDir, preregistrationFiles(studyDir));
}

/**
 * The studies of a project: the folders of `experimentsDir` with a study.ts, sorted.
 *
 * @example
 * studyNames('experiments') // ['ablation']
 */
export function studyNames(experimentsDir: string): string[] {
  if (!existsSync(experimentsDir)) return [];
  return readdirSync(experimentsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(experimentsDir, entry.name, 'study.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** @throws {UnknownStudyError} when `studyDir` has no study.ts, listing the studies beside it. */
export function assertStudyExists(studyDir: string, study: string): void {
  if (existsSync(join(studyDir, 'study.ts'))) return;
  const known = studyNames(dirname(studyDir));
  throw new UnknownStudyError(
    `no study '${study}': ${join(studyDir, 'study.ts')} does not exist. ` +
      `${known.length ? `The studies here: ${known.join(', ')}.` : `There are no studies in ${dirname(studyDir)}.`} Fix: name one of them, and run from the project root (or set HYPOTEST_ROOT).`,
  );
}

function combinedHash(files: Record<string, string>): string {
  return sha256(canonicalJson(files));
}

/** Reads the lock, or returns null when the study is not locked. @throws {LockFileError} on a corrupt or hand-edited lock file. */
export function readLock(studyDir: string): PreregLock | null {
  const path = join(studyDir, LOCK_FILE);
  if (!existsSync(path)) return null;
  let lock: PreregLock;
  try {
    lock = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LockFileError(`${path} is not valid JSON (${(error as Error).message}). Fix: restore it from git (git checkout -- ${LOCK_FILE}); never edit a lock by hand.`);
  }
  if ((lock?.schemaVersion !== 1 && lock?.schemaVersion !== 2) || typeof lock.hash !== 'string' || !lock.files || typeof lock.files !== 'object') {
    throw new LockFileError(`${path} is not a hypotest lock (schemaVersion 1 or 2 with hash and files). Fix: restore it from git (git checkout -- ${LOCK_FILE}); never edit a lock by hand.`);
  }
  if (combinedHash(lock.files) !== lock.hash) {
    throw new LockFileError(`${path}: its hash does not match its file list, so the lock was edited by hand. Fix: restore it from git.`);
  }
  return lock;
}

/** Every entry of deviations.json, file and analysis deviations, validated (an empty list when absent). */
function readDeviationEntries(studyDir: string): (Deviation | AnalysisDeviation)[] {
  const path = join(studyDir, DEVIATIONS_FILE);
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeviationError(`${path} is not valid JSON (${(error as Error).message}). Fix: correct the syntax; add entries with \`npx hypotest deviate\`.`);
  }
  const list = (parsed as { deviations?: unknown } | null)?.deviations;
  if (!Array.isArray(list)) throw new DeviationError(`${path} must be { "deviations": [ ... ] }. Fix: add entries with \`npx hypotest deviate <study> --file F --what ... --why ...\`.`);
  list.forEach((entry, index) => {
    const analysis = entry?.kind === 'analysis';
    for (const field of analysis ? ['what', 'why', 'when'] : ['file', 'sha256', 'what', 'why', 'when']) {
      if (typeof entry?.[field] !== 'string' || entry[field].trim() === '') {
        throw new DeviationError(analysis
          ? `${path}: analysis deviation ${index} has no "${field}". Fix: every analysis deviation records what, why and when (\`npx hypotest deviate <study> --analysis\` fills them).`
          : `${path}: deviation ${index} has no "${field}". Fix: every deviation records file, sha256, what, why and when (\`npx hypotest deviate\` fills them).`);
      }
    }
    if (analysis && entry.verdictRule !== null && entry.verdictRule !== 1 && entry.verdictRule !== 2) {
      throw new DeviationError(`${path}: analysis deviation ${index} has verdictRule ${JSON.stringify(entry.verdictRule)}. Fix: 1, 2 or null (\`npx hypotest deviate <study> --analysis\` fills it).`);
    }
  });
  return list as (Deviation | AnalysisDeviation)[];
}

/** Reads the file deviations of deviations.json (an empty list when absent). Throws {@link DeviationError} when malformed. */
export function readDeviations(studyDir: string): Deviation[] {
  return readDeviationEntries(studyDir).filter((d): d is Deviation => (d as AnalysisDeviation).kind !== 'analysis');
}

/** Reads the analysis deviations of deviations.json, oldest first. Throws {@link DeviationError} when malformed. */
export function readAnalysisDeviations(studyDir: string): AnalysisDeviation[] {
  return readDeviationEntries(studyDir).filter((d): d is AnalysisDeviation => (d as AnalysisDeviation).kind === 'analysis');
}

/**
 * Locks a study: hashes its pre-registration files (its modules and the project files they import), records the
 * dataset fingerprint, time, the project's git commit and the harness's own commit.
 * Refuses to replace an existing lock (a relock is a deviation, not a rewrite).
 *
 * @throws {AlreadyLockedError} when the study already has a lock.
 * @throws {IncompletePreregistrationError} when study.ts, hypotheses.exp.ts or every cell file is missing.
 */
export function writeLock(studyDir: string, study: string, dataset: { id: string; fingerprint: string }): PreregLock {
  if (existsSync(join(studyDir, LOCK_FILE))) {
    throw new AlreadyLockedError(`study '${study}' is already locked (${join(studyDir, LOCK_FILE)}). Fix: record changes with \`npx hypotest deviate ${study} ...\` instead of relocking.`);
  }
  const files = hashPreregistration(studyDir);
  for (const required of ['study.ts', 'hypotheses.exp.ts']) {
    if (!files[required]) throw new IncompletePreregistrationError(`study '${study}' has no ${required}. Fix: write it before locking.`);
  }
  if (!Object.keys(files).some((f) => f.startsWith('cells/'))) throw new IncompletePreregistrationError(`study '${study}' has no cells/*.exp.ts. Fix: write one cell file per cell before locking.`);
  const git = gitState(studyDir);
  const harness = gitState(HARNESS_DIR);
  const lock: PreregLock = {
    schemaVersion: 2,
    study,
    hash: combinedHash(files),
    files,
    dataset,
    lockedAt: new Date().toISOString(),
    gitCommit: git.commit,
    gitDirty: git.dirty,
    harnessVersion: HARNESS_VERSION,
    harnessCommit: harness.commit,
    harnessDirty: harness.dirty,
    verdictRule: CURRENT_VERDICT_RULE,
  };
  writeFileAtomic(join(studyDir, LOCK_FILE), JSON.stringify(lock, null, 2) + '\n', { exclusive: true });
  return lock;
}

/**
 * The one check of a study against its lock, which every path goes through (cells and hypotheses, the CLI's
 * `verify`, and {@link assertLockHolds}): compares the pre-registration files with the lock and returns every
 * change with the deviation that covers it (a deviation whose sha256 matches the current file); `ok` is true
 * when every change is covered. Returns an uncovered change rather than throwing on it.
 *
 * @throws {UnknownStudyError} when the folder has no study.ts (the message lists the studies).
 * @throws {UnlockedStudyError} when the study has no lock.
 * @throws {LockFileError} when the lock file is corrupt; {@link DeviationError} when deviations.json is malformed.
 * @example
 * const status = readLockStatus(studyDir, 'ablation'); if (!status.ok) console.log(status.changes);
 */
export function readLockStatus(studyDir: string, study: string, options: { cells?: readonly string[] } = {}): LockStatus {
  assertStudyExists(studyDir, study);
  const lock = readLock(studyDir);
  if (!lock) {
    throw new UnlockedStudyError(
      `study '${study}' is not locked (no ${join(studyDir, LOCK_FILE)}), so the registered profile will not open its sealed splits. ` +
        `Fix: lock it with \`npx hypotest lock ${study}\` and commit the lock on its own, or try it first with \`HYPOTEST_PROFILE=quick npx vitest run experiments\` (validation only).`,
    );
  }
  const deviations = readDeviations(studyDir);
  const analysisDeviations = readAnalysisDeviations(studyDir);
  const current = hashPreregistration(studyDir);
  const changes: LockStatus['changes'] = [];
  const names = new Set([...Object.keys(lock.files), ...Object.keys(current)]);
  for (const file of [...names].sort()) {
    const before = lock.files[file];
    const now = current[file] ?? null;
    if (before === now) continue;
    const kind = before === undefined ? 'added' : now === null ? 'removed' : 'changed';
    const deviation = [...deviations].reverse().find((d) => d.file === file && d.sha256 === (now ?? 'removed'));
    changes.push({ file, kind, current: now, deviation });
  }
  const missingCells = options.cells?.filter((cell) => !existsSync(join(studyDir, 'cells', `${cell}.exp.ts`)));
  return { lock, deviations, analysisDeviations, changes, ...(missingCells ? { missingCells } : {}), ok: changes.every((c) => c.deviation) && !missingCells?.length };
}

/**
 * The strict lock check that every path judging or writing a registered result goes through (cells, hypotheses, the
 * reports they feed, the CLI): {@link readLockStatus}, then throws on any change without a deviation and on any
 * declared cell without its file. With `openSealed` (a registered run about to open a sealed split) it also checks,
 * with git, that the lock file is committed and unmodified ({@link lockOrder}) and returns the order in `order`.
 *
 * @throws {LockMismatchError} naming every uncovered change.
 * @throws {MissingCellFileError} naming every declared cell without its file (`cells` given).
 * @throws {UncommittedLockError} with `openSealed`, when the lock file is not committed or was changed since.
 * @throws as {@link readLockStatus}: {@link UnknownStudyError}, {@link UnlockedStudyError}, {@link LockFileError}, {@link DeviationError}.
 * @example
 * const { lock } = assertLockHolds(studyDir, 'ablation', { cells: study.cellIds });
 */
export function assertLockHolds(studyDir: string, study: string, options: { cells?: readonly string[]; openSealed?: boolean } = {}): LockStatus {
  const check = readLockStatus(studyDir, study, { cells: options.cells });
  const uncovered = check.changes.filter((c) => !c.deviation);
  if (uncovered.length > 0) {
    const list = uncovered.map((c) => `${c.file} (${c.kind})`).join(', ');
    throw new LockMismatchError(
      `study '${study}' changed after its lock without a recorded deviation: ${list}. ` +
        `Fix: undo the edit (git checkout -- <file>), or record it with \`npx hypotest deviate ${study} --file <file> --what "..." --why "..."\` (it is shown in every report).`,
    );
  }
  if (check.missingCells?.length) {
    throw new MissingCellFileError(
      `study '${study}' declares ${check.missingCells.map((c) => `'${c}'`).join(', ')} but ${basename(studyDir)}/cells/ has no ${check.missingCells.map((c) => `${c}.exp.ts`).join(', ')}, so nothing says what ${check.missingCells.length === 1 ? 'it trains' : 'they train'} and no stored run of ${check.missingCells.length === 1 ? 'it' : 'them'} is judged. ` +
        `Fix: restore the file (git checkout -- cells/<cell>.exp.ts), or remove the cell from study.ts and record both changes with \`npx hypotest deviate\`.`,
    );
  }
  return options.openSealed ? { ...check, order: lockOrder(studyDir, study) } : check;
}

/** Appends a deviation for the file's current content. */
export function recordDeviation(studyDir: string, entry: { file: string; what: string; why: string }): Deviation {
  const entries = readDeviationEntries(studyDir);
  const path = join(studyDir, entry.file);
  const digest = existsSync(path) ? sha256(readFileSync(path)) : 'removed';
  if (!entry.what?.trim() || !entry.why?.trim()) throw new DeviationError('a deviation needs --what and --why. Fix: say what changed and why.');
  const deviation: Deviation = { file: entry.file, sha256: digest, what: entry.what, why: entry.why, when: new Date().toISOString() };
  entries.push(deviation);
  writeFileAtomic(join(studyDir, DEVIATIONS_FILE), JSON.stringify({ deviations: entries }, null, 2) + '\n');
  return deviation;
}

/**
 * Appends a deviation of the analysis (not of a file): from now on the study is judged by `verdictRule` (default: this
 * harness's {@link CURRENT_VERDICT_RULE}), and its reports show the verdict under the lock's rule beside wherever the
 * two differ. Pass `verdictRule: null` for an analysis change that keeps the rule. deviations.json is outside the lock's hash.
 *
 * @throws {DeviationError} without what or why, or with an unknown rule.
 * @example
 * recordAnalysisDeviation(studyDir, { what: 'verdicts by verdict rule 2', why: 'minimum-effect testing' })
 */
export function recordAnalysisDeviation(studyDir: string, entry: { what: string; why: string; verdictRule?: VerdictRule | null }): AnalysisDeviation {
  if (!entry.what?.trim() || !entry.why?.trim()) throw new DeviationError('an analysis deviation needs --what and --why. Fix: say what changed in the analysis and why.');
  const verdictRule = entry.verdictRule === undefined ? CURRENT_VERDICT_RULE : entry.verdictRule;
  if (verdictRule !== null && verdictRule !== 1 && verdictRule !== 2) throw new DeviationError(`verdict rule ${JSON.stringify(verdictRule)} is unknown. Fix: use 1 or 2.`);
  const entries = readDeviationEntries(studyDir);
  const deviation: AnalysisDeviation = { kind: 'analysis', verdictRule, what: entry.what, why: entry.why, when: new Date().toISOString() };
  entries.push(deviation);
  writeFileAtomic(join(studyDir, DEVIATIONS_FILE), JSON.stringify({ deviations: entries }, null, 2) + '\n');
  return deviation;
}

/**
 * The verdict rules of a locked study: the one its lock registered (a lock without one: 1) and the one that decides
 * now (the latest analysis deviation that set a rule, else the registered one).
 *
 * @example
 * verdictRules(status) // { registered: 1, adopted: 2 } for the ablation after its analysis deviation
 */
export function verdictRules(status: Pick<LockStatus, 'lock' | 'analysisDeviations'>): { registered: VerdictRule; adopted: VerdictRule } {
  const registered = status.lock.verdictRule ?? 1;
  const adopting = [...status.analysisDeviations].reverse().find((d) => d.verdictRule !== null);
  return { registered, adopted: adopting?.verdictRule ?? registered };
}
