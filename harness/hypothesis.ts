import { describe, test, type TestContext } from 'vitest';
import { analyseStudy, designSensitivity, summariseStudy, validateHypothesis, type HypothesisResult, type HypothesisSpec, type SensitivityResult, type StudySummary } from './analysis.ts';
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
  /** The registered design, as the write-up describes it. */
  design: StudyDesign;
  /** Per-cell summaries and the ANOVA table (null when runs are missing). */
  summary: StudySummary | null;
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
  describe(`${study.name} hypotheses`, () => {
    test(`${spec.id}: ${spec.claim}`, async (context) => {
      if (currentProfile() === 'pilot') {
        await reportPilot(context, study, registered, spec.id);
        return;
      }
      const { results, lock, summary } = analysisFor(study, registered);
      const result = results.find((r) => r.id === spec.id)!;
      await report(context, study, result, lock, summary);
    });
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
  const ci = `[${formatNumber(result.lower)}, ${formatNumber(result.upper)}]`;
  const mde = result.verdict === 'inconclusive' && result.minimumDetectableEffect !== null ? `; MDE ${formatNumber(result.minimumDetectableEffect)} ${result.unit}` : '';
  return `${result.verdict}: effect ${formatNumber(result.estimate)} ${result.unit}, ${(result.confidence * 100).toFixed(1)}% CI ${ci}, SESOI ${result.sesoi} (${result.direction}); ${result.reason}${mde}`;
}

async function report(context: TestContext, study: Study, result: HypothesisResult, lock: LockCheck | null, summary: StudySummary | null): Promise<void> {
  const strict = strictMode();
  context.task.meta.hypotest = {
    result,
    study: { name: study.name, title: study.title, question: study.question, lockHash: lock?.lock.hash ?? null, lockedAt: lock?.lock.lockedAt ?? null, lockCommit: lock?.lock.gitCommit ?? null },
    design: designOf(study, result.profile),
    summary,
    deviations: (lock?.deviations ?? []).map(({ file, what, why, when }) => ({ file, what, why, when })),
    strict,
  };
  const line = verdictLine(result);
  await context.annotate(line, `verdict:${result.verdict}`);
  if (result.verdict === 'incomplete' || result.verdict === 'error') throw new HypothesisNotJudgedError(`${result.id} ${line}`);
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
