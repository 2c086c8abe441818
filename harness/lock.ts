import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AlreadyLockedError, DeviationError, IncompletePreregistrationError, LockFileError, LockMismatchError, UnlockedStudyError } from './errors.ts';
import { writeFileAtomic } from './atomicFile.ts';
import { canonicalJson, gitState, HARNESS_VERSION, sha256 } from './util.ts';
import { CURRENT_VERDICT_RULE, type VerdictRule } from './stats/judge.ts';

/** The pre-registration lock, `experiments/<study>/prereg.lock.json`. */
export interface PreregLock {
  schemaVersion: 1;
  study: string;
  /** sha256 over the sorted file hashes; the identity of the registration. Part of every run key. */
  hash: string;
  files: Record<string, string>;
  dataset: { id: string; fingerprint: string };
  lockedAt: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  harnessVersion: string;
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
  ok: boolean;
}

export const LOCK_FILE = 'prereg.lock.json';
export const DEVIATIONS_FILE = 'deviations.json';

/** The pre-registration files of a study folder: study.ts, hypotheses.exp.ts and cells/*.exp.ts (sorted). */
export function preregistrationFiles(studyDir: string): string[] {
  const files: string[] = [];
  for (const name of ['study.ts', 'hypotheses.exp.ts']) if (existsSync(join(studyDir, name))) files.push(name);
  const cellsDir = join(studyDir, 'cells');
  if (existsSync(cellsDir)) {
    for (const name of readdirSync(cellsDir).filter((n) => n.endsWith('.exp.ts')).sort()) files.push(`cells/${name}`);
  }
  return files;
}

/** sha256 of every pre-registration file. */
export function hashPreregistration(studyDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of preregistrationFiles(studyDir)) out[file] = sha256(readFileSync(join(studyDir, file)));
  return out;
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
  if (lock?.schemaVersion !== 1 || typeof lock.hash !== 'string' || !lock.files) {
    throw new LockFileError(`${path} is not a hypotest lock (schemaVersion 1 with hash and files). Fix: restore it from git.`);
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
 * Locks a study: hashes its pre-registration files, records the dataset fingerprint, time and git commit.
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
  const lock: PreregLock = {
    schemaVersion: 1,
    study,
    hash: combinedHash(files),
    files,
    dataset,
    lockedAt: new Date().toISOString(),
    gitCommit: git.commit,
    gitDirty: git.dirty,
    harnessVersion: HARNESS_VERSION,
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
 * @throws {UnlockedStudyError} when the study has no lock.
 * @throws {LockFileError} when the lock file is corrupt; {@link DeviationError} when deviations.json is malformed.
 * @example
 * const status = readLockStatus(studyDir, 'ablation'); if (!status.ok) console.log(status.changes);
 */
export function readLockStatus(studyDir: string, study: string): LockStatus {
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
  return { lock, deviations, analysisDeviations, changes, ok: changes.every((c) => c.deviation) };
}

/**
 * {@link readLockStatus}, then throws when a change has no deviation: what a registered run needs before it
 * opens a sealed split.
 *
 * @throws {LockMismatchError} naming every uncovered change; otherwise as {@link readLockStatus}.
 * @example
 * const { lock } = assertLockHolds(studyDir, 'ablation');
 */
export function assertLockHolds(studyDir: string, study: string): LockStatus {
  const check = readLockStatus(studyDir, study);
  const uncovered = check.changes.filter((c) => !c.deviation);
  if (uncovered.length > 0) {
    const list = uncovered.map((c) => `${c.file} (${c.kind})`).join(', ');
    throw new LockMismatchError(
      `study '${study}' changed after its lock without a recorded deviation: ${list}. ` +
        `Fix: undo the edit (git checkout -- <file>), or record it with \`npx hypotest deviate ${study} --file <file> --what "..." --why "..."\` (it is shown in every report).`,
    );
  }
  return check;
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
