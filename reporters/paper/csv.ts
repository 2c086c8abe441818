/**
 * CSV exports with a stable, documented schema (README "Exports"): `runs.csv`, one row per run record, and
 * `verdicts.csv`, one row per hypothesis. RFC 4180: comma-separated, double quotes around fields that need them,
 * CRLF-free (`\n`) line ends, UTF-8, a header row. Columns are only ever added at the end.
 */
import type { MetricName } from '../../harness/study.ts';
import type { RunRecord } from '../../harness/store.ts';
import { canonicalJson } from '../../harness/util.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';

const SPLITS = ['train', 'validation', 'test', 'shift'] as const;

/** The metrics every runs.csv has columns for, whatever the study registers (every record stores them). */
const BASE_METRICS: readonly MetricName[] = ['accuracy', 'nll'];

/** runs.csv's first columns, in order. Metric columns are `<split>_<metric>` for every split, accuracy and nll. */
export const RUNS_COLUMNS = [
  'study', 'cell', 'config', 'seed', 'profile', 'status', 'backend', 'lock_hash', 'key', 'epochs_trained', 'train_seconds', 'finished_at',
  ...SPLITS.flatMap((split) => BASE_METRICS.map((metric) => `${split}_${metric}`)),
] as const;

/** The metrics of a study beyond accuracy and nll (macroF1, ece, brier), in the order it registers them: runs.csv adds their columns at the end. */
function extraMetrics(metrics: { primary: MetricName; secondary?: readonly MetricName[] }): MetricName[] {
  return [...new Set([metrics.primary, ...(metrics.secondary ?? [])])].filter((m) => !BASE_METRICS.includes(m));
}

/**
 * runs.csv's columns for a study: {@link RUNS_COLUMNS}, then `<split>_<metric>` for every split and every other metric the
 * study registers (macroF1, ece, brier), as the records store them (empty when a record does not), so a study that registers accuracy and nll has exactly {@link RUNS_COLUMNS}.
 *
 * @example
 * runsColumns({ primary: 'accuracy', secondary: ['ece'] }).at(-1) // 'shift_ece'
 */
export function runsColumns(metrics: { primary: MetricName; secondary?: readonly MetricName[] }): string[] {
  return [...RUNS_COLUMNS, ...SPLITS.flatMap((split) => extraMetrics(metrics).map((metric) => `${split}_${metric}`))];
}

/** verdicts.csv columns, in order. */
export const VERDICTS_COLUMNS = [
  'study', 'id', 'family', 'confirmatory', 'correction', 'metric', 'unit', 'split', 'profile', 'direction', 'sesoi', 'effect',
  'estimate', 'lower', 'upper', 'confidence', 'df', 'standard_error', 'p_value', 'adjusted_p_value', 'minimum_detectable_effect', 'power',
  'verdict', 'code', 'runs_complete', 'runs_expected', 'claim', 'reason',
] as const;

/** One CSV field: numbers in full precision (shortest round-trip form), text quoted when needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: unknown[][]): string {
  return [header.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
}

/** runs.csv of the records (sorted by cell order of the design, then seed). */
export function runsCsv(file: VerdictsFile, runs: readonly RunRecord[]): string {
  const order = (r: RunRecord) => file.design.cells.indexOf(r.cell) * 1e6 + r.seed;
  const rows = [...runs].sort((a, b) => order(a) - order(b)).map((r) => [
    r.study, r.cell, canonicalJson(r.config), r.seed, r.profile, r.status, r.environment.backend, r.lockHash, r.key, r.curve.length, r.timings.trainSeconds, r.timings.finishedAt,
    ...SPLITS.flatMap((split) => BASE_METRICS.map((metric) => r.metrics[split]?.[metric])),
    ...SPLITS.flatMap((split) => extraMetrics(file.design.metrics).map((metric) => r.metrics[split]?.[metric])),
  ]);
  return csv(runsColumns(file.design.metrics), rows);
}

/** verdicts.csv of the judged hypotheses. */
export function verdictsCsv(file: VerdictsFile): string {
  return csv(VERDICTS_COLUMNS, file.hypotheses.map((h) => [
    h.study, h.id, h.family, h.confirmatory, h.correction, h.metric, h.unit, h.split, h.profile, h.direction, h.sesoi, h.effect,
    h.estimate, h.lower, h.upper, h.confidence, h.df, h.standardError, h.pValue, h.adjustedPValue, h.minimumDetectableEffect, h.power,
    h.verdict, h.code, h.runsComplete, h.runsExpected, h.claim, h.reason,
  ]));
}
