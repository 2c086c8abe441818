/**
 * What the harness's tests put in Vitest task meta for the reporters: typed and JSON-safe. The reporters read
 * these types and the run records, and render; they never recompute statistics.
 */
import type { HypothesisResult, SensitivityResult, StudySummary } from './analysis/index.ts';
import type { Provenance } from './provenance.ts';
import type { RunRecord } from './store.ts';
import type { SearchPlan, SearchSummary } from './search.ts';
import type { Study } from './study.ts';

export type { Provenance } from './provenance.ts';
export type { CellSummary, HypothesisResult, ResultCode, SensitivityResult, StudySummary, Verdict } from './analysis/index.ts';

/** What a cell test puts in `task.meta.hypotestRun` for reporters. */
export interface RunSummary {
  study: string;
  cell: string;
  seed: number;
  profile: string;
  status: 'ok' | 'diverged';
  /** True when a stored record with the run's key was reused (nothing trained). */
  reused: boolean;
  metrics: RunRecord['metrics'];
  /** The record's path. */
  path: string;
}

/** What a hypothesis test puts in `task.meta.hypotest` for the reporters. */
export interface VerdictMeta {
  result: HypothesisResult;
  study: {
    name: string; title: string; question: string; lockHash: string | null; lockedAt: string | null; lockCommit: string | null;
    /** Registered profile: the harness commit and backend of the runs beside the lock's, and whether git showed the lock first. */
    provenance?: Provenance | null;
  };
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
  /**
   * Recorded deviations from the pre-registration, oldest first within each kind: file deviations, then deviations of
   * the analysis (`kind: 'analysis'`, `file: 'analysis'`; `verdictRule` is the verdict rule it adopted, or null).
   */
  deviations: { kind?: 'file' | 'analysis'; file: string; what: string; why: string; when: string; verdictRule?: 1 | 2 | null }[];
  strict: boolean;
}

/** The parts of a study declaration a report shows (JSON-safe). */
export interface StudyDesign {
  dataset: { id: string; description: string; params: Record<string, unknown> };
  factors: Record<string, (string | number)[]> | null;
  cells: string[];
  /** Each cell's configuration as its file registers it (absent in verdict files written before it was recorded). */
  configs?: Record<string, Record<string, unknown>>;
  seeds: number[];
  metrics: Study['metrics'];
  budget: Record<string, unknown>;
  analysis: Study['analysis'];
  diverged: Study['diverged'];
  notes: string[];
  /** The study's registered search (`search` in study.ts: trials, seeds, budget and calibration, each arm's space); absent without one. */
  search?: SearchPlan;
  /** What the search did under the judged profile: each arm's trials and chosen configuration (verdict meta only; absent without a search and under the pilot). */
  searchSummary?: SearchSummary;
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
    hypotestRun?: RunSummary;
  }
}
