import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HypothesisSpec } from './analysis/index.ts';
import { StudyDefinitionError } from './errors.ts';
import { collectHypotheses } from './hypothesis.ts';
import { readLockStatus, type LockStatus, type PreregLock } from './lock.ts';
import type { Study } from './study.ts';
import { canonicalJson, runGit, sha256 } from './util.ts';

/** One pre-registration file that differs from the lock. */
export interface FileChange {
  /** Relative to the study folder, as in the lock (`cells/d2-relu.exp.ts`, `../common.ts`). */
  file: string;
  kind: 'changed' | 'added' | 'removed';
  /** Lines added and removed, when both versions' texts are known. */
  lines?: { added: number; removed: number };
  /** The recorded deviation that covers the change (`what`), or null when none does. */
  deviation: string | null;
}

/** What changed in a study's pre-registration since its lock, as a reviewer reads it. */
export interface PreregDiff {
  study: string;
  lock: Pick<PreregLock, 'hash' | 'lockedAt' | 'gitCommit'>;
  /**
   * `definitions`: the locked study.ts and hypotheses.exp.ts were recovered (unchanged files, or git at the lock's
   * commit) and evaluated, so `studyChanges` and `hypothesisChanges` compare the declarations themselves.
   * `files`: only which files differ from the lock's hashes is known (`reason` says why).
   */
  level: 'definitions' | 'files';
  reason?: string;
  files: FileChange[];
  /** Changes of the evaluated study: seeds, cells, factors, data, budgets, metrics, analysis, diverged rule, notes. */
  studyChanges: string[];
  /** Changes of the evaluated hypotheses, by id (added, removed, SESOI, direction, effect, claim, family, ...). */
  hypothesisChanges: string[];
  /** Changes of the analysis recorded after the lock (`hypotest deviate --analysis`), e.g. adopting a later verdict rule. */
  analysisDeviations: string[];
  /** Caveats (e.g. a changed module outside the study folder that both versions were evaluated with). */
  notes: string[];
}

/**
 * Compares a study's pre-registration with its lock at the level a reviewer reads: which files changed (each with the
 * deviation that covers it), and, when the locked texts can be recovered (files unchanged since the lock, else
 * `git show <commit>:<path>` at the commit that added the lock or the lock's recorded commit, each checked against the
 * lock's sha256), what changed in the evaluated study and hypotheses: "hypothesis H1: SESOI 0.5 -> 0.3", "seeds
 * added: 4, 5", "cell d2-relu: width 256 -> 128". The locked versions are evaluated from a temporary copy of the
 * study folder beside it (so their relative imports resolve as the originals did), removed afterwards.
 *
 * @throws as {@link readLockStatus}: UnknownStudyError, UnlockedStudyError, LockFileError, DeviationError.
 * @example
 * const diff = await diffPreregistration(root, 'ablation'); renderPreregDiff(diff).join('\n')
 */
export async function diffPreregistration(root: string, name: string): Promise<PreregDiff> {
  const studyDir = join(root, 'experiments', name);
  const status = readLockStatus(studyDir, name);
  const { lock } = status;
  const locked = lockedContents(studyDir, lock);
  const files = fileChanges(studyDir, status, locked.contents);
  const analysisDeviations = status.analysisDeviations.map((d) => `${d.when}: ${d.what}${d.verdictRule !== null ? ` (adopts verdict rule ${d.verdictRule})` : ''}. Why: ${d.why}`);
  const base = { study: name, lock: { hash: lock.hash, lockedAt: lock.lockedAt, gitCommit: lock.gitCommit }, files, analysisDeviations };
  const outside = files.filter((f) => f.file.startsWith('..'));
  const notes = outside.map((f) => `${f.file} (outside the study folder) ${f.kind} since the lock; both versions of the definitions were evaluated with its current text`);

  for (const required of ['study.ts', 'hypotheses.exp.ts']) {
    if (!locked.contents.has(required)) {
      return { ...base, level: 'files', reason: `the locked ${required} is not recoverable (${locked.why}); only which files' hashes differ is known`, studyChanges: [], hypothesisChanges: [], notes };
    }
  }
  let before: Definitions;
  let after: Definitions;
  try {
    before = await evaluateLocked(studyDir, lock, locked.contents);
  } catch (error) {
    return { ...base, level: 'files', reason: `the locked definitions do not evaluate with this harness (${(error as Error).name}: ${(error as Error).message})`, studyChanges: [], hypothesisChanges: [], notes };
  }
  try {
    // A query makes a fresh module even when this process imported study.ts before (a lock, an earlier diff).
    after = await evaluateDefinitions(studyDir, `?hypotest-diff=${process.pid}-${++copies}`);
  } catch (error) {
    return { ...base, level: 'files', reason: `the current definitions do not evaluate (${(error as Error).name}: ${(error as Error).message})`, studyChanges: [], hypothesisChanges: [], notes };
  }
  const studyChanges = compareStudies(studyView(before.study), studyView(after.study));
  const hypothesisChanges = compareHypotheses(before.hypotheses, after.hypotheses, after.study.metrics.primary);
  for (const [file, changes] of [['study.ts', studyChanges], ['hypotheses.exp.ts', hypothesisChanges]] as const) {
    if (files.some((f) => f.file === file) && changes.length === 0) notes.push(`${file}: the text changed, but the evaluated definitions are identical (comments, formatting or how they are written)`);
  }
  return { ...base, level: 'definitions', studyChanges, hypothesisChanges, notes };
}

/** The lines `hypotest diff` prints. */
export function renderPreregDiff(diff: PreregDiff): string[] {
  const out = [`hypotest diff: '${diff.study}' against its lock ${diff.lock.hash.slice(0, 12)} (${diff.lock.lockedAt}${diff.lock.gitCommit ? `, commit ${diff.lock.gitCommit.slice(0, 12)}` : ''})`];
  const analysis = diff.analysisDeviations.length ? ['', 'Analysis (recorded deviations):', ...diff.analysisDeviations.map((d) => `  ${d}`)] : [];
  if (diff.files.length === 0) {
    out.push('No pre-registration file changed since the lock.', ...analysis);
    return out;
  }
  out.push('', 'Files:');
  for (const f of diff.files) {
    const cell = /^cells\/(.+)\.exp\.ts$/.exec(f.file)?.[1];
    const lines = f.lines ? ` (+${f.lines.added} −${f.lines.removed} lines)` : '';
    const what = f.kind === 'changed' ? `${cell ? "the cell's code changed" : 'changed'}${lines}` : f.kind === 'added' ? `${cell ? "the cell's file was " : ''}added` : `${cell ? "the cell's file was " : ''}removed`;
    out.push(`  ${f.file}: ${what} — ${f.deviation === null ? 'NO DEVIATION RECORDED' : `deviation: ${f.deviation}`}`);
  }
  if (diff.level === 'files') {
    out.push('', `Definitions: not compared: ${diff.reason}.`);
  } else {
    out.push('', 'Study:', ...(diff.studyChanges.length ? diff.studyChanges.map((l) => `  ${l}`) : ['  no change']));
    out.push('', 'Hypotheses:', ...(diff.hypothesisChanges.length ? diff.hypothesisChanges.map((l) => `  ${l}`) : ['  no change']));
  }
  out.push(...analysis);
  if (diff.notes.length) out.push('', 'Notes:', ...diff.notes.map((n) => `  ${n}`));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Recovering the locked texts

function git(cwd: string, args: string[]): Buffer | null {
  const result = runGit(cwd, args);
  return result.ok ? result.stdout : null;
}

/** The locked bytes of every lock file that can be recovered, and why the others cannot. */
function lockedContents(studyDir: string, lock: PreregLock): { contents: Map<string, Buffer>; why: string } {
  const contents = new Map<string, Buffer>();
  const pending: string[] = [];
  for (const [file, digest] of Object.entries(lock.files)) {
    const path = resolve(studyDir, file);
    const current = existsSync(path) ? readFileSync(path) : null;
    if (current && sha256(current) === digest) contents.set(file, current);
    else pending.push(file);
  }
  if (pending.length === 0) return { contents, why: '' };
  const top = git(studyDir, ['rev-parse', '--show-toplevel'])?.toString().trim();
  if (!top) return { contents, why: 'the study is not in a git repository and the files changed since the lock' };
  const toGit = (path: string) => relative(top, path).split(sep).join('/');
  const lockAdded = git(top, ['log', '--diff-filter=A', '--format=%H', '--', toGit(join(studyDir, 'prereg.lock.json'))])?.toString().split('\n').filter(Boolean) ?? [];
  const candidates = [...lockAdded, ...(lock.gitCommit ? [lock.gitCommit] : [])];
  if (candidates.length === 0) return { contents, why: 'the lock is not committed and records no git commit' };
  for (const file of pending) {
    for (const commit of candidates) {
      const bytes = git(top, ['show', `${commit}:${toGit(resolve(studyDir, file))}`]);
      if (bytes && sha256(bytes) === lock.files[file]) {
        contents.set(file, bytes);
        break;
      }
    }
  }
  return { contents, why: `no commit among ${candidates.map((c) => c.slice(0, 12)).join(', ')} holds the locked text` };
}

function fileChanges(studyDir: string, status: LockStatus, locked: Map<string, Buffer>): FileChange[] {
  return status.changes.map((change) => {
    const before = locked.get(change.file);
    const path = resolve(studyDir, change.file);
    const lines = change.kind === 'changed' && before && existsSync(path) ? lineChanges(before.toString('utf8'), readFileSync(path, 'utf8')) : undefined;
    return { file: change.file, kind: change.kind, ...(lines ? { lines } : {}), deviation: change.deviation ? change.deviation.what : null };
  });
}

/** Lines added and removed between two texts (a longest common subsequence of lines). */
export function lineChanges(before: string, after: string): { added: number; removed: number } {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail first: edits are usually local, so the table stays small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  let previous = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) row[j] = x[i - 1] === y[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
    previous = row;
  }
  const common = previous[y.length];
  return { added: y.length - common, removed: x.length - common };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluating both versions

interface Definitions {
  study: Study;
  hypotheses: HypothesisSpec[];
}

let copies = 0;

/** Writes the locked texts into a temporary copy of the study folder beside it, evaluates them, removes the copy. */
async function evaluateLocked(studyDir: string, lock: PreregLock, locked: Map<string, Buffer>): Promise<Definitions> {
  const copy = join(dirname(studyDir), `.hypotest-diff-${process.pid}-${++copies}`);
  try {
    cpSync(studyDir, copy, { recursive: true });
    for (const [file, bytes] of locked) {
      if (file.startsWith('..')) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      writeFileSync(join(copy, file), bytes);
    }
    // Files added since the lock are not part of the locked version.
    for (const file of ['study.ts', 'hypotheses.exp.ts']) if (!(file in lock.files)) rmSync(join(copy, file), { force: true });
    return await evaluateDefinitions(copy, '');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function evaluateDefinitions(dir: string, query: string): Promise<Definitions> {
  const module = await import(pathToFileURL(join(dir, 'study.ts')).href + query);
  const study = module.default as Study | undefined;
  if (!study || typeof study.levelsOf !== 'function') throw new StudyDefinitionError(`${join(dir, 'study.ts')} has no default export made by defineStudy()`);
  const hypotheses = await collectHypotheses(() => import(pathToFileURL(join(dir, 'hypotheses.exp.ts')).href + query));
  return { study, hypotheses };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing the definitions (pure)

/** The JSON-safe parts of a study a reviewer compares. */
export interface StudyView {
  title: string;
  question: string;
  dataset: { id: string; description: string; params: unknown; hasShift: boolean };
  factors: Record<string, readonly unknown[]> | null;
  cells: Record<string, unknown>;
  seeds: readonly number[];
  pilot: unknown;
  metrics: unknown;
  budget: unknown;
  analysis: unknown;
  diverged: unknown;
  notes: readonly string[];
}

/** The parts of a study {@link compareStudies} compares (functions and the sealed loader left out). */
export function studyView(study: Pick<Study, 'title' | 'question' | 'dataset' | 'factors' | 'cells' | 'seeds' | 'pilot' | 'metrics' | 'budget' | 'analysis' | 'diverged' | 'notes'>): StudyView {
  const plain = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
  return {
    title: study.title,
    question: study.question,
    dataset: { id: study.dataset.id, description: study.dataset.description, params: plain(study.dataset.params), hasShift: study.dataset.hasShift },
    factors: plain(study.factors),
    cells: plain(study.cells),
    seeds: [...study.seeds],
    pilot: plain(study.pilot),
    metrics: plain(study.metrics),
    budget: plain(study.budget),
    analysis: plain(study.analysis),
    diverged: plain(study.diverged),
    notes: [...(study.notes ?? [])],
  };
}

/** A value as a reviewer reads it: numbers and booleans bare, strings quoted (long ones cut), objects as JSON. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return JSON.stringify(value.length > 90 ? `${value.slice(0, 89)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = canonicalJson(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Leaf differences between two JSON values, as `path: before -> after` lines (objects recurse; arrays compare whole). */
function valueChanges(path: string, before: unknown, after: unknown, out: string[]): void {
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return;
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      const sub = `${path}.${key}`;
      if (!(key in before)) out.push(`${sub} added: ${show(after[key])}`);
      else if (!(key in after)) out.push(`${sub} removed (was ${show(before[key])})`);
      else valueChanges(sub, before[key], after[key], out);
    }
    return;
  }
  out.push(`${path}: ${show(before)} -> ${show(after)}`);
}

function listDelta<T>(before: readonly T[], after: readonly T[]): { added: T[]; removed: T[] } {
  const key = (v: T) => canonicalJson(v);
  const a = new Set(before.map(key));
  const b = new Set(after.map(key));
  return { added: after.filter((v) => !a.has(key(v))), removed: before.filter((v) => !b.has(key(v))) };
}

/**
 * What changed between two evaluated studies, one line per change: seeds added or removed, cells added, removed or
 * reconfigured, factor levels, then every other field by path (`budget.registered.epochs: 10 -> 20`).
 *
 * @example
 * compareStudies(before, { ...before, seeds: [1, 2, 3, 4] }) // ['seeds added: 4 (now 1, 2, 3, 4)']
 */
export function compareStudies(before: StudyView, after: StudyView): string[] {
  const out: string[] = [];
  const seeds = listDelta(before.seeds, after.seeds);
  if (seeds.added.length) out.push(`seeds added: ${seeds.added.join(', ')} (now ${after.seeds.join(', ')})`);
  if (seeds.removed.length) out.push(`seeds removed: ${seeds.removed.join(', ')} (now ${after.seeds.join(', ') || 'none'})`);
  if (!seeds.added.length && !seeds.removed.length && before.seeds.join() !== after.seeds.join()) out.push(`seeds reordered: ${before.seeds.join(', ')} -> ${after.seeds.join(', ')}`);

  const beforeFactors = before.factors ?? {};
  const afterFactors = after.factors ?? {};
  for (const factor of [...new Set([...Object.keys(beforeFactors), ...Object.keys(afterFactors)])]) {
    if (!(factor in beforeFactors)) out.push(`factor ${factor} added: levels ${afterFactors[factor].map(show).join(', ')}`);
    else if (!(factor in afterFactors)) out.push(`factor ${factor} removed (levels were ${beforeFactors[factor].map(show).join(', ')})`);
    else {
      const levels = listDelta(beforeFactors[factor], afterFactors[factor]);
      if (levels.added.length) out.push(`factor ${factor}: levels added ${levels.added.map(show).join(', ')}`);
      if (levels.removed.length) out.push(`factor ${factor}: levels removed ${levels.removed.map(show).join(', ')}`);
    }
  }

  // The same change in several cells is one line naming them ("every cell" when it is all of them).
  const cellChanges = new Map<string, string[]>();
  const shared = Object.keys(after.cells).filter((cell) => cell in before.cells);
  for (const cell of [...new Set([...Object.keys(before.cells), ...Object.keys(after.cells)])]) {
    if (!(cell in before.cells)) out.push(`cell ${cell} added: ${show(after.cells[cell])}`);
    else if (!(cell in after.cells)) out.push(`cell ${cell} removed (was ${show(before.cells[cell])})`);
    else {
      const lines: string[] = [];
      valueChanges('', before.cells[cell], after.cells[cell], lines);
      for (const line of lines) cellChanges.set(line.replace(/^\./, ''), [...(cellChanges.get(line.replace(/^\./, '')) ?? []), cell]);
    }
  }
  for (const [line, cells] of cellChanges) {
    out.push(`${cells.length === shared.length && cells.length > 1 ? `every cell (${cells.length})` : cells.length > 1 ? `cells ${cells.join(', ')}` : `cell ${cells[0]}`}: ${line}`);
  }

  for (const field of ['title', 'question', 'dataset', 'metrics', 'budget', 'pilot', 'analysis', 'diverged'] as const) {
    valueChanges(field, before[field], after[field], out);
  }
  const notes = listDelta(before.notes, after.notes);
  for (const note of notes.removed) out.push(`note removed: ${show(note)}`);
  for (const note of notes.added) out.push(`note added: ${show(note)}`);
  return out;
}

function effectText(effect: HypothesisSpec['effect']): string {
  if (!effect) return '(none)';
  if (effect.kind === 'contrast') return `contrast ${canonicalJson(effect.weights)} ("${effect.label}")`;
  if (effect.kind === 'paired') return `pairedDifference('${effect.a}', '${effect.b}')`;
  return 'topTwoOnValidation()';
}

/**
 * What changed between two lists of hypotheses, by id: added, removed, and per field (SESOI, direction, effect,
 * metric, family, claim, SESOI reason); then any family whose size changed (its Bonferroni adjustment changes too).
 *
 * @example
 * compareHypotheses([h1], [{ ...h1, sesoi: 0.3 }], 'accuracy') // ['hypothesis H1: SESOI 0.5 -> 0.3']
 */
export function compareHypotheses(before: readonly HypothesisSpec[], after: readonly HypothesisSpec[], primaryMetric: string): string[] {
  const out: string[] = [];
  const byId = (list: readonly HypothesisSpec[]) => new Map(list.map((h) => [h.id, h]));
  const a = byId(before);
  const b = byId(after);
  for (const h of after) {
    const old = a.get(h.id);
    if (!old) {
      out.push(`hypothesis ${h.id} added: ${show(h.claim)} (${effectText(h.effect)}, ${h.direction}, SESOI ${h.sesoi}, family ${h.family})`);
      continue;
    }
    const where = `hypothesis ${h.id}`;
    if (old.sesoi !== h.sesoi) out.push(`${where}: SESOI ${old.sesoi} -> ${h.sesoi}`);
    if (old.direction !== h.direction) out.push(`${where}: direction ${old.direction} -> ${h.direction}`);
    if (canonicalJson(old.effect) !== canonicalJson(h.effect)) out.push(`${where}: effect ${effectText(old.effect)} -> ${effectText(h.effect)}`);
    if ((old.metric ?? primaryMetric) !== (h.metric ?? primaryMetric)) out.push(`${where}: metric ${old.metric ?? primaryMetric} -> ${h.metric ?? primaryMetric}`);
    if (old.family !== h.family) out.push(`${where}: family ${old.family} -> ${h.family}`);
    if (old.claim !== h.claim) out.push(`${where}: claim ${show(old.claim)} -> ${show(h.claim)}`);
    if (old.sesoiReason !== h.sesoiReason) out.push(`${where}: SESOI reason ${show(old.sesoiReason)} -> ${show(h.sesoiReason)}`);
    const known = new Set(['id', 'claim', 'effect', 'metric', 'direction', 'sesoi', 'sesoiReason', 'family']);
    const rest = (spec: HypothesisSpec) => Object.fromEntries(Object.entries(spec).filter(([key]) => !known.has(key)));
    const lines: string[] = [];
    valueChanges('', rest(old), rest(h), lines);
    out.push(...lines.map((line) => `${where}: ${line.replace(/^\./, '')}`));
  }
  for (const h of before) if (!b.has(h.id)) out.push(`hypothesis ${h.id} removed (was ${show(h.claim)})`);
  const sizes = (list: readonly HypothesisSpec[]) => list.reduce((m, h) => m.set(h.family, (m.get(h.family) ?? 0) + 1), new Map<string, number>());
  const sa = sizes(before);
  const sb = sizes(after);
  for (const family of [...new Set([...sa.keys(), ...sb.keys()])]) {
    if ((sa.get(family) ?? 0) !== (sb.get(family) ?? 0)) out.push(`family ${family}: ${sa.get(family) ?? 0} -> ${sb.get(family) ?? 0} hypotheses (its multiplicity adjustment changes)`);
  }
  const order = after.filter((h) => a.has(h.id)).map((h) => h.id).join();
  const oldOrder = before.filter((h) => b.has(h.id)).map((h) => h.id).join();
  if (order !== oldOrder) out.push(`hypotheses reordered: ${oldOrder.replace(/,/g, ', ')} -> ${order.replace(/,/g, ', ')}`);
  return out;
}
