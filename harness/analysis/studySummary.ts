import { eceBinsOf, type Level, type MetricName, type Study } from '../study.ts';
import type { RecordLookup, RunRecord } from '../store.ts';
import type { Profile, SplitName } from '../types.ts';
import { factorialAnova, meanInterval } from '../stats/index.ts';
import { runMetric } from './runMetric.ts';

/** Descriptive summary of one cell over its seeds (t interval at the study's confidence). */
export interface CellSummary {
  cell: string;
  levels: Record<string, Level>;
  /** Runs of the cell (one per seed). */
  n: number;
  /** How many of them diverged. */
  diverged: number;
  /**
   * Per `split.metric` (e.g. `test.accuracy`), and per `shift/<corruption>.metric` (e.g. `shift/rotate-2.accuracy`) when
   * the shift split registers several corruptions: mean and t interval over seeds, in the metric's unit (accuracy:
   * percent; nll: nats); bounds null when fewer than two seeds or constant values.
   */
  metrics: Record<string, { mean: number; lower: number | null; upper: number | null; values: number[] }>;
}

/** What a study's records show beyond the hypotheses: per-cell summaries and, for factorial studies, the ANOVA table. */
export interface StudySummary {
  metric: MetricName;
  split: 'test' | 'validation';
  /** Confidence of the per-cell intervals, a fraction. */
  confidence: number;
  cells: CellSummary[];
  /**
   * The groups of a sealed split whose examples are grouped (the shift split's registered corruptions), whose per-group
   * means are in each cell's `metrics` as `<split>/<group>.<metric>`; absent when no split has groups.
   */
  groups?: { split: 'shift'; names: string[] };
  /** Sums of squares and mean squares in the metric's unit squared; df counts; p-values and partial ω² fractions. */
  anova: { rows: { term: string; sumOfSquares: number; df: number; meanSquare: number; F: number; pValue: number; partialOmegaSquared: number }[]; residual: { sumOfSquares: number; df: number; meanSquare: number } } | null;
  anovaError?: string;
}

/**
 * Per-cell means and t intervals ({@link meanInterval}) of every metric on every evaluated split, and the
 * full-factorial ANOVA ({@link factorialAnova}) of the primary metric (seed as a block when registered). Diverged
 * runs enter by the registered rule (`substitute-chance`: at chance; otherwise left out). Pure.
 * Returns null when a pre-registered run is missing (nothing partial is summarised).
 *
 * @example
 * summariseStudy(study, lookup, 'registered')?.cells[0].metrics['test.accuracy'].mean
 */
export function summariseStudy(study: Study, records: RecordLookup, profile: Profile): StudySummary | null {
  const split = profile === 'registered' ? 'test' : 'validation';
  const rows: { cell: string; seed: number; record: RunRecord }[] = [];
  for (const cellId of study.cellIds) for (const seed of study.seeds) {
    const record = records(cellId, seed);
    if (!record) return null;
    rows.push({ cell: cellId, seed, record });
  }
  const divergedAs = study.diverged.rule === 'substitute-chance' ? 'chance' : 'missing';
  const splits: SplitName[] = profile === 'registered' ? ['validation', 'test', ...(study.dataset.hasShift ? ['shift' as const] : [])] : ['validation'];
  const metrics: MetricName[] = [study.metrics.primary, ...(study.metrics.secondary ?? [])];
  const groupNames = profile === 'registered' ? Object.keys(rows.find((r) => r.record.groupMetrics?.shift)?.record.groupMetrics?.shift ?? {}) : [];
  const readings: { key: string; split: SplitName; group?: string }[] = [
    ...splits.map((onSplit) => ({ key: onSplit as string, split: onSplit })),
    ...groupNames.map((group) => ({ key: `shift/${group}`, split: 'shift' as const, group })),
  ];
  const cells: CellSummary[] = study.cellIds.map((cellId) => {
    const own = rows.filter((r) => r.cell === cellId);
    const summary: CellSummary = { cell: cellId, levels: study.levelsOf(cellId), n: own.length, diverged: own.filter((r) => r.record.status === 'diverged').length, metrics: {} };
    for (const { key, split: onSplit, group } of readings) for (const metric of metrics) {
      const values = own.map((r) => runMetric(r.record, onSplit, metric, divergedAs, { eceBins: eceBinsOf(study), ...(group === undefined ? {} : { group }) })).filter((v): v is number => v !== null);
      if (values.length === 0) continue;
      // The plain left-to-right mean, not stats' compensated one: the committed reports were generated with it,
      // and regenerating them from the stored records must give the same bytes (it differs in the last bits).
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      let lower: number | null = null;
      let upper: number | null = null;
      try {
        ({ lower, upper } = meanInterval(values, { confidence: study.analysis.confidence }));
      } catch {
        // One seed or identical values: no interval, the mean alone is reported.
      }
      summary.metrics[`${key}.${metric}`] = { mean, lower, upper, values };
    }
    return summary;
  });
  let anova: StudySummary['anova'] = null;
  let anovaError: string | undefined;
  if (study.analysis.model === 'factorial') {
    try {
      const observations = rows.map((r) => ({
        factors: { ...study.levelsOf(r.cell), ...(study.analysis.seedAsBlock ? { seed: `s${r.seed}` } : {}) },
        value: runMetric(r.record, split, study.metrics.primary, divergedAs, { eceBins: eceBinsOf(study) }) ?? Number.NaN,
      }));
      const table = factorialAnova(observations, study.analysis.seedAsBlock ? { block: 'seed' } : {});
      anova = { rows: table.rows.map((row) => ({ ...row })), residual: { ...table.residual } };
    } catch (error) {
      anovaError = `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  return {
    metric: study.metrics.primary, split, confidence: study.analysis.confidence, cells,
    ...(groupNames.length > 0 ? { groups: { split: 'shift' as const, names: groupNames } } : {}), anova, ...(anovaError ? { anovaError } : {}),
  };
}
