/**
 * Pure Vega-Lite spec builders for the figures of an arms study (a benchmark of model families): per-arm metrics on
 * test and shift with their intervals, per-corruption accuracy, reliability diagrams, the per-seed paired differences
 * of the top two arms, and the search trials. Like `./specs.ts`, each takes plain rows that the records and verdicts
 * already hold (the reporters compute nothing here) and returns a spec whose `data.values` are the plotted rows.
 * Sized for the NeurIPS text block (5.5 in = 396 pt; 1 SVG px prints as 1 pt).
 */
import type { TopLevelSpec } from 'vega-lite';
import { OKABE_ITO } from './palette.ts';
import { BASE_CONFIG, SCHEMA } from './specs.ts';

/** Width of the NeurIPS text block in pt (5.5 in). */
export const NEURIPS_TEXT_WIDTH = 396;

/** One arm's mean of one metric on one split over seeds, with its t interval (bounds null when not computable). */
export interface ArmMetricRow { arm: string; split: string; metric: string; mean: number; lower: number | null; upper: number | null }
/** One arm's mean accuracy on one corruption of the shift split (or `clean test`), with its t interval over seeds. */
export interface CorruptionRow { arm: string; corruption: string; mean: number; lower: number | null; upper: number | null }
/** One confidence bin of an arm's reliability diagram on one split, pooled over seeds (fractions in [0, 1]). */
export interface ReliabilityRow { arm: string; split: string; lower: number; upper: number; count: number; confidence: number; accuracy: number }
/** One seed's difference best − second on one split (pp). */
export interface PairedSeedRow { split: string; seed: number; difference: number }
/** An interval for the mean difference on one split: the paired t (primary) or the bootstrap (sensitivity). */
export interface PairedIntervalRow { split: string; method: string; estimate: number; lower: number; upper: number }
/** One search trial: its validation accuracy (percent) and whether the final seeds train its configuration. */
export interface SearchTrialRow { arm: string; trial: number; validationAccuracy: number; chosen: boolean; settings: string }

type Spec<Row> = TopLevelSpec & { data: { values: Row[] } };

const ARM_COLOUR = (arms: readonly string[]) => ({ field: 'arm', type: 'nominal', title: 'arm', sort: [...arms], scale: { domain: [...arms], range: OKABE_ITO.slice(0, arms.length) } });

/**
 * Every arm's mean of every metric on each split (e.g. test and shift), with the t interval over seeds: one small panel
 * per metric (each with its own axis and unit), arms down the side, splits as colour.
 *
 * @example
 * armMetricsSpec({ rows, arms: ['mlp', 'vit', 'xgboost'], metrics: ['accuracy (%)', 'ECE (%)'], splits: ['test', 'shift'] })
 */
export function armMetricsSpec(input: { rows: readonly ArmMetricRow[]; arms: readonly string[]; metrics: readonly string[]; splits: readonly string[]; columns?: number; width?: number }): Spec<ArmMetricRow> {
  const columns = input.columns ?? Math.min(5, input.metrics.length);
  const panelWidth = Math.floor(((input.width ?? NEURIPS_TEXT_WIDTH) - 50) / columns) - 12;
  const y = { field: 'arm', type: 'nominal', sort: [...input.arms], title: null, axis: { labelFontSize: 9 } };
  const color = { field: 'split', type: 'nominal', title: 'split', sort: [...input.splits], scale: { domain: [...input.splits], range: ['#000000', OKABE_ITO[3], OKABE_ITO[0]].slice(0, input.splits.length) }, legend: { orient: 'top', direction: 'horizontal', titleOrient: 'left', offset: 4 } };
  const yOffset = { field: 'split', type: 'nominal', sort: [...input.splits], scale: { paddingInner: 0.2 } };
  return {
    $schema: SCHEMA, config: { ...BASE_CONFIG, axis: { ...BASE_CONFIG.axis, labelFontSize: 8.5, titleFontSize: 9 }, header: { labelFontSize: 9.5, titleFontSize: 9.5 } } as never,
    data: { values: [...input.rows] },
    facet: { field: 'metric', type: 'nominal', title: null, sort: [...input.metrics] }, columns,
    spec: {
      width: panelWidth, height: 9 * input.arms.length * input.splits.length + 6,
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.4 }, encoding: { y, yOffset, color, x: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: null, axis: { tickCount: 3, labelFlush: true, labelOverlap: true } }, x2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 22, opacity: 1 }, encoding: { y, yOffset, color, x: { field: 'mean', type: 'quantitative' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    spacing: { column: 10, row: 6 },
  } as unknown as Spec<ArmMetricRow>;
}

/**
 * Accuracy of every arm on each corruption of the shift split, beside its clean test accuracy: mean over seeds with the
 * t interval, arms side by side in each group.
 *
 * @example
 * corruptionAccuracySpec({ rows, arms, corruptions: ['clean test', 'rotate-2'] })
 */
export function corruptionAccuracySpec(input: { rows: readonly CorruptionRow[]; arms: readonly string[]; corruptions: readonly string[]; width?: number; confidence?: number }): Spec<CorruptionRow> {
  const x = { field: 'corruption', type: 'nominal', sort: [...input.corruptions], title: null, axis: { labelAngle: 0, labelFontSize: 8, labelLimit: 80 } };
  const xOffset = { field: 'arm', type: 'nominal', sort: [...input.arms] };
  const color = ARM_COLOUR(input.arms);
  const ci = `${Math.round((input.confidence ?? 0.95) * 100)}% CI`;
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values: [...input.rows] },
    width: (input.width ?? NEURIPS_TEXT_WIDTH) - 50, height: 78,
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { x, xOffset, color: { ...color, legend: { orient: 'top', direction: 'horizontal', titleOrient: 'left', offset: 4 } }, y: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: `accuracy (%), mean, ${ci}` }, y2: { field: 'upper' } } },
      { mark: { type: 'point', filled: true, size: 24, opacity: 1 }, encoding: { x, xOffset, color, y: { field: 'mean', type: 'quantitative' } } },
    ],
  } as unknown as Spec<CorruptionRow>;
}

/**
 * Reliability diagrams, one panel per arm: accuracy against mean confidence in each equal-width confidence bin (pooled
 * over seeds), one line per split, points sized by the bin's share of examples; the diagonal is perfect calibration.
 *
 * @example
 * reliabilitySpec({ rows, arms, splits: ['test', 'shift'], bins: 15 })
 */
export function reliabilitySpec(input: { rows: readonly ReliabilityRow[]; arms: readonly string[]; splits: readonly string[]; bins: number; width?: number }): Spec<ReliabilityRow & { accuracyPercent: number; confidencePercent: number }> {
  const values = input.rows.map((r) => ({ ...r, accuracyPercent: 100 * r.accuracy, confidencePercent: 100 * r.confidence }));
  const panel = Math.min(66, Math.floor(((input.width ?? NEURIPS_TEXT_WIDTH) - 60) / input.arms.length) - 18);
  const scale = { domain: [0, 100], nice: false };
  const x = { field: 'confidencePercent', type: 'quantitative', scale, title: `confidence (%), ${input.bins} bins`, axis: { tickCount: 5 } };
  const color = { field: 'split', type: 'nominal', title: 'split', sort: [...input.splits], scale: { domain: [...input.splits], range: ['#000000', OKABE_ITO[3]].slice(0, input.splits.length) }, legend: { orient: 'right', direction: 'vertical' } };
  return {
    $schema: SCHEMA, config: { ...BASE_CONFIG, axis: { ...BASE_CONFIG.axis, labelFontSize: 8.5, titleFontSize: 9 } } as never,
    data: { values },
    facet: { column: { field: 'arm', type: 'nominal', title: null, sort: [...input.arms] } },
    spec: {
      width: panel, height: panel,
      layer: [
        { data: { values: [{ a: 0 }, { a: 100 }] }, mark: { type: 'line', color: '#999', strokeDash: [3, 2], strokeWidth: 1 }, encoding: { x: { field: 'a', type: 'quantitative', scale }, y: { field: 'a', type: 'quantitative', scale } } },
        { mark: { type: 'line', strokeWidth: 1.3 }, encoding: { x, color, y: { field: 'accuracyPercent', type: 'quantitative', scale, title: 'accuracy (%)', axis: { tickCount: 5 } } } },
        { mark: { type: 'point', filled: true, opacity: 0.9 }, encoding: { x, color, y: { field: 'accuracyPercent', type: 'quantitative', scale }, size: { field: 'count', type: 'quantitative', legend: null, scale: { range: [4, 60] } } } },
      ],
    },
  } as unknown as Spec<ReliabilityRow & { accuracyPercent: number; confidencePercent: number }>;
}

/**
 * The paired comparison of the top two arms on each split: every seed's difference (best − second, pp) as a dot, the
 * paired t interval (primary) and the two-level bootstrap interval (sensitivity) as bars below them, zero and the SESOI
 * marked.
 *
 * @example
 * pairedDifferencesSpec({ seeds, intervals, splits: ['test', 'shift'], sesoi: 0.5 })
 */
export function pairedDifferencesSpec(input: { seeds: readonly PairedSeedRow[]; intervals: readonly PairedIntervalRow[]; splits: readonly string[]; sesoi: number | null; title: string; width?: number }): Spec<(PairedSeedRow | PairedIntervalRow) & { kind: string; row: string }> {
  const methods = [...new Set(input.intervals.map((i) => i.method))];
  const rowOf = (split: string, what: string) => `${split}: ${what}`;
  const order = input.splits.flatMap((s) => [rowOf(s, 'seeds'), ...methods.map((m) => rowOf(s, m))]);
  const values = [
    ...input.seeds.map((s) => ({ ...s, kind: 'seed', row: rowOf(s.split, 'seeds') })),
    ...input.intervals.map((i) => ({ ...i, kind: 'interval', row: rowOf(i.split, i.method) })),
  ];
  const y = { field: 'row', type: 'nominal', sort: order, title: null, axis: { labelFontSize: 8.5, labelLimit: 110 } };
  const x = { field: 'difference', type: 'quantitative', title: input.title };
  const markers = [{ at: 0, dash: [] as number[] }, ...(input.sesoi === null ? [] : [{ at: input.sesoi, dash: [3, 2] }])];
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values },
    width: (input.width ?? NEURIPS_TEXT_WIDTH) - 100, height: 11 * order.length,
    layer: [
      ...markers.map((m) => ({ mark: { type: 'rule', color: '#555', strokeWidth: 1, strokeDash: m.dash }, encoding: { x: { datum: m.at, type: 'quantitative' } } })),
      { transform: [{ filter: "datum.kind === 'seed'" }], mark: { type: 'point', filled: true, size: 30, color: OKABE_ITO[0] }, encoding: { y, x } },
      { transform: [{ filter: "datum.kind === 'seed'" }], mark: { type: 'text', dy: -7, fontSize: 7.5, color: '#555' }, encoding: { y, x, text: { field: 'seed' } } },
      { transform: [{ filter: "datum.kind === 'interval'" }], mark: { type: 'rule', strokeWidth: 2.2, color: OKABE_ITO[3] }, encoding: { y, x: { field: 'lower', type: 'quantitative' }, x2: { field: 'upper' } } },
      { transform: [{ filter: "datum.kind === 'interval'" }], mark: { type: 'point', shape: 'diamond', filled: true, size: 40, color: OKABE_ITO[3] }, encoding: { y, x: { field: 'estimate', type: 'quantitative' } } },
    ],
  } as unknown as Spec<(PairedSeedRow | PairedIntervalRow) & { kind: string; row: string }>;
}

/**
 * The search: every trial's validation accuracy per arm, in trial order, the trial whose configuration the final seeds
 * train ringed and labelled "chosen".
 *
 * @example
 * searchTrialsSpec({ rows, arms })
 */
export function searchTrialsSpec(input: { rows: readonly SearchTrialRow[]; arms: readonly string[]; width?: number }): Spec<SearchTrialRow> {
  const trials = Math.max(1, ...input.rows.map((r) => r.trial));
  const x = { field: 'trial', type: 'quantitative', title: 'search trial', scale: { domain: [0.5, trials + 0.5], nice: false }, axis: { tickMinStep: 1, values: Array.from({ length: trials }, (_, i) => i + 1) } };
  const y = { field: 'validationAccuracy', type: 'quantitative', scale: { zero: false }, title: 'validation accuracy (%)' };
  const color = ARM_COLOUR(input.arms);
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values: [...input.rows] },
    width: (input.width ?? NEURIPS_TEXT_WIDTH) - 45, height: 85,
    layer: [
      { mark: { type: 'line', strokeWidth: 1, opacity: 0.45 }, encoding: { x, y, color: { ...color, legend: { orient: 'top', direction: 'horizontal', titleOrient: 'left', offset: 4 } } } },
      { mark: { type: 'point', filled: true, size: 26, opacity: 1 }, encoding: { x, y, color } },
      { transform: [{ filter: 'datum.chosen' }], mark: { type: 'point', filled: false, size: 150, strokeWidth: 1.8 }, encoding: { x, y, color } },
      { transform: [{ filter: 'datum.chosen' }], mark: { type: 'text', dy: -11, fontSize: 8.5, fontWeight: 'bold' }, encoding: { x, y, color, text: { value: 'chosen' } } },
    ],
  } as unknown as Spec<SearchTrialRow>;
}
