import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'vitest';
import { intervalFigure } from './figures/interval.ts';
import { analyseStudy, designSensitivity, summariseStudy, validateHypothesis, type HypothesisResult, type HypothesisSpec, type SensitivityResult, type StudySummary } from './analysis/index.ts';
import { checkLock, type LockCheck } from './lock.ts';
import { budgetFor, currentProfile, strictMode } from './profile.ts';
import type { Profile } from './types.ts';
import { readRecord, recordPath, runKey, type RunRecord } from './store.ts';
import { hypotestRoot, type Study } from './study.ts';
import { canonicalJson } from './util.ts';
import { HypotestError, HypothesisNotJudgedError, StrictVerdictError } from './errors.ts';

/** What a hypothesis test puts in `task.meta.hypotest` for the reporters. */
export interface VerdictMeta {
  result: HypothesisResult;
  study: { name: string; title: string; question: string; lockHash: string | null; lockedAt: string | null; lockCommit: string | null };
  /** Ids of every hypothesis the study registers, so a reporter can tell a partial run from a whole one. */
  registered: string[];
  /** The registered design, as the write-up describes it (on the study's first hypothesis only). */
  design: StudyDesign | null;
  /** Per-cell summaries and the ANOVA table (first hypothesis only; null when runs are missing). */
  summary: StudySummary | null;
  /**
   * `experiments/<study>/post-hoc.md`, verbatim (first hypothesis only): observations written after the results,
   * outside the pre-registration and its hash, shown in the write-up under their own heading. Null when absent.
   */
  postHoc: string | null;
  deviations: { file: string; what: string; why: string; when: string }[];
  strict: boolean;
}

/** The parts of a study declaration a report shows (JSON-safe). */
export interface StudyDesign {
  dataset: { id: string; description: string; params: Record<string, unknown> };
  factors: Record<string, (string | number)[]> | null;
  cells: string[];
  seeds: number[];
  metrics: Study['metrics'];
  budget: Record<string, unknown>;
  analysis: Study['analysis'];
  diverged: Study['diverged'];
  notes: string[];
}

function designOf(study: Study, profile: Profile): StudyDesign {
  return JSON.parse(JSON.stringify({
    dataset: { id: study.dataset.id, description: study.dataset.description, params: study.dataset.params },
    factors: study.factors ?? null,
    cells: study.cellIds,
    seeds: study.seeds,
    metrics: study.metrics,
    budget: budgetFor(study, profile),
    analysis: study.analysis,
    diverged: study.diverged,
    notes: study.notes ?? [],
  }));
}

/** What a hypothesis test puts in `task.meta.hypotestPilot` under the pilot profile. */
export interface PilotMeta {
  result: SensitivityResult;
  study: { name: string; title: string };
  pilot: { cells: string[]; seeds: number[]; reason: string };
}

declare module 'vitest' {
  interface TaskMeta {
    hypotest?: VerdictMeta;
    hypotestPilot?: PilotMeta;
  }
}

const registries = new Map<Study, HypothesisSpec[]>();
const analyses = new Map<Study, { results: HypothesisResult[]; lock: LockCheck | null; summary: StudySummary | null }>();

/**
 * Registers a pre-registered hypothesis as a Vitest test. When the test runs, it reads the stored run
 * records of the current profile, analyses the whole family once, and records the verdict in task meta
 * and an annotation. Supported passes; inconclusive and refuted are skipped with their reason (strict
 * mode, `HYPOTEST_STRICT=1`, fails them); incomplete and error fail: they are integrity problems.
 *
 * @example
 * hypothesis(study, { id: 'H1', claim: 'Depth 8 beats depth 2', effect: contrast({ depth: { 8: 1, 2: -1 } }),
 *   direction: 'greater', sesoi: 0.5, sesoiReason: '...', family: 'confirmatory' })
 */
export function hypothesis(study: Study, spec: HypothesisSpec): void {
  let list = registries.get(study);
  if (!list) {
    list = [];
    registries.set(study, list);
  }
  validateHypothesis(study, spec, new Set(list.map((h) => h.id)));
  list.push(spec);
  const registered = list;
  // Where the hypothesis is declared, so an unjudged verdict points at hypotheses.exp.ts, not the harness.
  const declaredAt = (new Error().stack ?? '').split('\n').slice(1).filter((frame) => !frame.includes('/harness/hypothesis.ts')).join('\n');
  test(`${study.name} ${spec.id}: ${spec.claim}`, async (context) => {
    try {
      if (currentProfile() === 'pilot') {
        await reportPilot(context, study, registered, spec.id);
        return;
      }
      const { results, lock, summary } = analysisFor(study, registered);
      const result = results.find((r) => r.id === spec.id)!;
      await report(context, study, registered, result, lock, summary);
    } catch (error) {
      if (error instanceof HypotestError && declaredAt) error.stack = `${error.name}: ${error.message}\n${declaredAt}`;
      throw error;
    }
  });
}

function analysisFor(study: Study, hypotheses: HypothesisSpec[]): { results: HypothesisResult[]; lock: LockCheck | null; summary: StudySummary | null } {
  let cached = analyses.get(study);
  if (cached) return cached;
  const profile = currentProfile();
  const root = hypotestRoot();
  const studyDir = study.directory(root);
  // The registered profile judges only records made under the lock; an unlocked study has none.
  let lock: LockCheck | null = null;
  if (profile === 'registered') {
    try {
      lock = checkLock(studyDir, study.name);
    } catch (error) {
      if (!(error instanceof HypotestError)) throw error;
    }
  }
  const dataset = canonicalJson({ id: study.dataset.id, params: study.dataset.params });
  const lookup = (cellId: string, seed: number): RunRecord | null => {
    const record = readRecord(recordPath(root, study.name, profile, cellId, seed));
    if (!record) return null;
    const key = runKey({ lockHash: lock?.lock.hash ?? null, config: study.cells[cellId], budget: budgetFor(study, profile), seed, profile, dataset });
    return record.key === key ? record : null;
  };
  const results = profile === 'registered' && !lock
    ? analyseStudy(study, hypotheses, () => null, profile).map((r) => ({ ...r, reason: `study '${study.name}' is not locked, so it has no registered runs. Lock it with \`npx hypotest lock ${study.name}\`, or run \`HYPOTEST_PROFILE=quick npx vitest run experiments\`.` }))
    : analyseStudy(study, hypotheses, lookup, profile);
  const summary = profile === 'registered' && !lock ? null : summariseStudy(study, lookup, profile);
  cached = { results, lock, summary };
  analyses.set(study, cached);
  return cached;
}

function formatNumber(value: number | null, digits = 2): string {
  return value === null || !Number.isFinite(value) ? String(value) : value.toFixed(digits);
}

/** One-line summary of a verdict, as annotated and printed. */
export function verdictLine(result: HypothesisResult): string {
  if (result.estimate === null) return `${result.verdict}: ${result.reason}`;
  const signed = (v: number | null) => (v !== null && v > 0 ? `+${formatNumber(v)}` : formatNumber(v));
  const correction = result.correction === 'bonferroni' && result.familySize > 1 ? `, Bonferroni over ${result.familySize} ${result.family} hypotheses` : result.confirmatory ? '' : ', exploratory';
  const ci = `${+(result.confidence * 100).toFixed(2)}% CI [${signed(result.lower)}, ${signed(result.upper)}]${correction}`;
  const claim = result.direction === 'equivalent' ? `within ±${result.sesoi}` : `${result.direction === 'greater' ? '> +' : '< −'}${result.sesoi}`;
  const mde = result.verdict === 'inconclusive' && result.minimumDetectableEffect !== null ? `; the design's MDE is ${formatNumber(result.minimumDetectableEffect)} ${result.unit}` : '';
  return `${result.verdict}: ${result.effect} = ${signed(result.estimate)} ${result.unit} (${ci}); claim ${claim} ${result.unit}; ${result.code}${mde}`;
}

const SKIPPED_NOTE: Record<string, string> = {
  refuted: 'Shown as skipped: a refuted hypothesis is a result, not a failing test (HYPOTEST_STRICT=1 fails it).',
  inconclusive: 'Shown as skipped: an inconclusive hypothesis is a result, not a failing test (HYPOTEST_STRICT=1 fails it).',
};

async function report(context: TestContext, study: Study, hypotheses: HypothesisSpec[], result: HypothesisResult, lock: LockCheck | null, summary: StudySummary | null): Promise<void> {
  const strict = strictMode();
  // The study-wide parts (design, summary) ride on the first hypothesis only, to keep each test's meta small.
  const first = hypotheses[0].id === result.id;
  context.task.meta.hypotest = {
    result,
    registered: hypotheses.map((h) => h.id),
    study: { name: study.name, title: study.title, question: study.question, lockHash: lock?.lock.hash ?? null, lockedAt: lock?.lock.lockedAt ?? null, lockCommit: lock?.lock.gitCommit ?? null },
    design: first ? designOf(study, result.profile) : null,
    summary: first ? summary : null,
    postHoc: first ? readPostHoc(study) : null,
    deviations: (lock?.deviations ?? []).map(({ file, what, why, when }) => ({ file, what, why, when })),
    strict,
  };
  const line = verdictLine(result);
  const note = SKIPPED_NOTE[result.verdict] && !strict ? `. ${SKIPPED_NOTE[result.verdict]}` : '';
  await context.annotate(`${line}${note}`, `${result.id} ${result.verdict.toUpperCase()}`, { contentType: 'image/svg+xml', body: Buffer.from(intervalFigure(result)) });
  if (result.verdict === 'incomplete') {
    const cells = [...new Set(result.missing.map((m) => m.split('/')[0]))];
    throw new HypothesisNotJudgedError(`${result.id} ${line}. Fix: run the missing cells, e.g. npx vitest run ${cells.slice(0, 3).map((c) => `experiments/${study.name}/cells/${c}.exp.ts`).join(' ')}${cells.length > 3 ? ' …' : ''} (stored runs are reused).`);
  }
  if (result.verdict === 'error') throw new HypothesisNotJudgedError(`${result.id} ${line}`);
  if (result.verdict === 'supported') return;
  if (strict) throw new StrictVerdictError(`${result.id} (strict mode) ${line}`);
  context.skip(`${result.verdict}: ${result.reason}`);
}

async function reportPilot(context: TestContext, study: Study, hypotheses: HypothesisSpec[], id: string): Promise<void> {
  const root = hypotestRoot();
  const dataset = canonicalJson({ id: study.dataset.id, params: study.dataset.params });
  const lookup = (cellId: string, seed: number): RunRecord | null => {
    const record = readRecord(recordPath(root, study.name, 'pilot', cellId, seed));
    const key = runKey({ lockHash: null, config: study.cells[cellId], budget: budgetFor(study, 'pilot'), seed, profile: 'pilot', dataset });
    return record && record.key === key ? record : null;
  };
  const result = designSensitivity(study, hypotheses, lookup).find((r) => r.id === id)!;
  context.task.meta.hypotestPilot = {
    result,
    study: { name: study.name, title: study.title },
    pilot: { cells: [...study.pilot!.cells], seeds: [...study.pilot!.seeds], reason: study.pilot!.reason },
  };
  const line = result.sigma === null
    ? `pilot: ${result.assessment}`
    : `pilot: σ ${result.sigma.toFixed(3)} ${result.unit} (${result.pilotRuns} runs, df ${result.sigmaDf}); expected SE ${result.standardError!.toFixed(3)}, half-width ${result.halfWidth!.toFixed(2)} at ${(result.confidence * 100).toFixed(1)}%, MDE ${result.minimumDetectableEffect!.toFixed(2)} ${result.unit} (SESOI ${result.sesoi}): ${result.assessment}`;
  await context.annotate(line, 'pilot');
  if (result.sigma === null) throw new HypothesisNotJudgedError(`${id} ${line}`);
  context.skip(line);
}

/** The study's post-hoc notes (`post-hoc.md` beside study.ts), or null. Not a pre-registration file: never hashed. */
function readPostHoc(study: Study): string | null {
  const path = join(study.directory(hypotestRoot()), POST_HOC_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}

export const POST_HOC_FILE = 'post-hoc.md';
