import type { TestContext } from 'vitest';
import type { HypothesisResult, HypothesisSpec, SensitivityResult, StudySummary } from './analysis/index.ts';
import { HypothesisNotJudgedError, StrictVerdictError } from './errors.ts';
import { renderSvg } from './figures/render.ts';
import { forestSpec } from './figures/specs.ts';
import type { LockStatus } from './lock.ts';
import type { StudyDesign } from './meta.ts';
import { readPostHoc } from './postHoc.ts';
import { budgetFor, strictMode } from './profile.ts';
import { readSearchRecords, searchSummary } from './search.ts';
import { hypotestRoot, type Study } from './study.ts';
import { studyVerdicts } from './studyVerdicts.ts';
import type { Profile } from './types.ts';
import { verdictLine } from './verdictLine.ts';

/** The parts of a study declaration a report shows, for a profile (JSON-safe): the design in verdict meta and prereg.pdf. */
export function designOf(study: Study, profile: Profile): StudyDesign {
  return JSON.parse(JSON.stringify({
    dataset: { id: study.dataset.id, description: study.dataset.description, params: study.dataset.params },
    factors: study.factors ?? null,
    cells: study.cellIds,
    configs: study.cells,
    seeds: study.seeds,
    metrics: study.metrics,
    budget: budgetFor(study, profile),
    analysis: study.analysis,
    diverged: study.diverged,
    notes: study.notes ?? [],
    search: study.search,
  }));
}

/** The design with the study's search summary (trials and chosen configurations) read from the stored trial records. */
function withSearch(design: StudyDesign, study: Study, profile: Profile, lockHash: string | null): StudyDesign {
  if (!study.search || profile === 'pilot') return design;
  return { ...design, searchSummary: searchSummary(study, readSearchRecords(hypotestRoot(), study, profile, lockHash), { profile }) };
}

const SKIPPED_NOTE: Record<string, string> = {
  refuted: 'Shown as skipped: a refuted hypothesis is a result, not a failing test (HYPOTEST_STRICT=1 fails it).',
  inconclusive: 'Shown as skipped: an inconclusive hypothesis is a result, not a failing test (HYPOTEST_STRICT=1 fails it).',
};

/**
 * Records a verdict on its Vitest test: `task.meta.hypotest` for the reporters, an annotation with the verdict
 * line and the interval figure (inline SVG), then the test's state: supported passes; refuted and inconclusive
 * are skipped with their reason (strict mode fails them); incomplete and error fail.
 *
 * @throws {HypothesisNotJudgedError} for an incomplete or error verdict, naming the cells to run.
 * @throws {StrictVerdictError} in strict mode for a refuted or inconclusive verdict.
 */
export async function annotateVerdict(context: TestContext, study: Study, hypotheses: readonly HypothesisSpec[], result: HypothesisResult, lock: LockStatus | null, summary: StudySummary | null): Promise<void> {
  const strict = strictMode();
  // The study-wide parts (design, summary) ride on the first hypothesis only, to keep each test's meta small.
  const first = hypotheses[0].id === result.id;
  context.task.meta.hypotest = {
    result,
    registered: hypotheses.map((h) => h.id),
    study: {
      name: study.name, title: study.title, question: study.question, lockHash: lock?.lock.hash ?? null, lockedAt: lock?.lock.lockedAt ?? null, lockCommit: lock?.lock.gitCommit ?? null,
      // Judged once per study and cached: the harness commits and backends of the runs beside the lock's.
      provenance: lock ? studyVerdicts(study, hypotheses).provenance : null,
    },
    design: first ? withSearch(designOf(study, result.profile), study, result.profile, lock?.lock.hash ?? null) : null,
    summary: first ? summary : null,
    postHoc: first ? readPostHoc(study) : null,
    deviations: [
      ...(lock?.deviations ?? []).map(({ file, what, why, when }) => ({ kind: 'file' as const, file, what, why, when })),
      ...(lock?.analysisDeviations ?? []).map(({ what, why, when, verdictRule }) => ({ kind: 'analysis' as const, file: 'analysis', what, why, when, verdictRule })),
    ],
    strict,
  };
  const line = verdictLine(result);
  const note = SKIPPED_NOTE[result.verdict] && !strict ? `. ${SKIPPED_NOTE[result.verdict]}` : '';
  await context.annotate(`${line}${note}`, `${result.id} ${result.verdict.toUpperCase()}`, { contentType: 'image/svg+xml', body: Buffer.from(await verdictFigure(result)) });
  if (result.verdict === 'incomplete') {
    const cells = [...new Set(result.missing.map((m) => m.split('/')[0]))];
    throw new HypothesisNotJudgedError(`${result.id} ${line}. Fix: run the missing cells, e.g. npx vitest run ${cells.slice(0, 3).map((c) => `experiments/${study.name}/cells/${c}.exp.ts`).join(' ')}${cells.length > 3 ? ' …' : ''} (stored runs are reused).`);
  }
  if (result.verdict === 'error') throw new HypothesisNotJudgedError(`${result.id} ${line}`);
  if (result.verdict === 'supported') return;
  if (strict) throw new StrictVerdictError(`${result.id} (strict mode) ${line}`);
  context.skip(`${result.verdict}: ${result.reason}`);
}

/** The hypothesis's own forest-plot row (interval, estimate, ±SESOI band, verdict word) as SVG; empty without an interval. */
async function verdictFigure(result: HypothesisResult): Promise<string> {
  if (result.estimate === null || result.lower === null || result.upper === null) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="24"><text x="4" y="16" font-family="sans-serif" font-size="12">${result.id} ${result.verdict}: no interval (${result.code})</text></svg>`;
  }
  return renderSvg(forestSpec([result], { compact: true, width: 400 }));
}

/**
 * Records a pilot's sensitivity result on its Vitest test (`task.meta.hypotestPilot` and an annotation) and skips
 * it: a pilot plans the design, it decides nothing.
 *
 * @throws {HypothesisNotJudgedError} when the pilot gave no spread to estimate from.
 */
export async function annotatePilot(context: TestContext, study: Study, result: SensitivityResult): Promise<void> {
  context.task.meta.hypotestPilot = {
    result,
    study: { name: study.name, title: study.title },
    pilot: { cells: [...study.pilot!.cells], seeds: [...study.pilot!.seeds], reason: study.pilot!.reason },
  };
  const line = result.sigma === null
    ? `pilot: ${result.assessment}`
    : `pilot: σ ${result.sigma.toFixed(3)} ${result.unit} (${result.pilotRuns} runs, df ${result.sigmaDf}); expected SE ${result.standardError!.toFixed(3)}, half-width ${result.halfWidth!.toFixed(2)} at ${(result.confidence * 100).toFixed(1)}%, MDE ${result.minimumDetectableEffect!.toFixed(2)} ${result.unit} (SESOI ${result.sesoi}): ${result.assessment}`;
  await context.annotate(line, 'pilot');
  if (result.sigma === null) throw new HypothesisNotJudgedError(`${result.id} ${line}`);
  context.skip(line);
}
