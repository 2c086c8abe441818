/**
 * Pure Vega-Lite spec builders for hypotest's figures. Each takes plain, JSON-safe data that the run records and
 * verdicts already hold (nothing is recomputed beyond averages for display) and returns a spec whose `data.values`
 * are the plotted rows, so tests can check a figure's data against the records without looking at pixels.
 * Render with {@link renderSvg} from `./render.ts`. Used by Vitest UI annotations and by the reporters.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FIGURE_FONT, OKABE_ITO, PRINT_WIDTH, VERDICT_COLOURS, VERDICT_ORDER } from './palette.ts';

type Level = string | number;

/** One cell's mean of a metric over seeds, with its t interval, as `StudySummary.cells[].metrics` holds it. */
export interface CellMeanInput {
  cell: string;
  levels: Record<string, Level>;
  mean: number;
  lower: number | null;
  upper: number | null;
  values: number[];
}

/** The fields of a judged hypothesis a figure needs (a `HypothesisResult` fits). */
export interface FigureHypothesis {
  id: string;
  claim: string;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  confidence: number;
  sesoi: number;
  direction: 'greater' | 'less' | 'equivalent';
  verdict: string;
  unit: string;
}

/** One run's learning curve (`RunRecord.curve`), with its cell's factor levels. */
export interface CurveRun {
  cell: string;
  levels: Record<string, Level>;
  seed: number;
  curve: { epoch: number; trainLoss: number; validationAccuracy?: number }[];
}

/** Row of the cell-means figure. */
export interface CellMeanRow { cell: string; mean: number; lower: number | null; upper: number | null; n: number; [factor: string]: Level | number | null }
/** Row of the interaction figure: the mean over every other factor's levels and every seed. */
export interface InteractionRow { row: Level; colour: Level; mean: number; cells: number; runs: number }
/** Row of the forest plot. */
export interface ForestRow { id: string; unit: string; label: string; estimate: number; lower: number; upper: number; sesoi: number; threshold: number | null; verdict: string; confidence: number; claim: string }
/** Row of the learning-curve figure: mean and range over seeds at one epoch of one cell. */
export interface CurveRow { cell: string; epoch: number; mean: number; min: number; max: number; seeds: number; [factor: string]: Level | number }

export const BASE_CONFIG = {
  font: FIGURE_FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 10.5, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 10, titleFontSize: 10.5, titleFontWeight: 'normal', orient: 'right', direction: 'vertical' },
  header: { labelFontSize: 10.5, titleFontSize: 10.5, titleFontWeight: 'normal' },
  title: { fontSize: 11, fontWeight: 'bold', anchor: 'start' },
  range: { category: [...OKABE_ITO] },
} as const;

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function factorLabel(factor: string): string {
  return factor.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function levelSort(levels: readonly Level[] | undefined): Level[] | undefined {
  return levels ? levels.map((l) => (typeof l === 'number' ? l : String(l))) : undefined;
}

/**
 * Cell means with their 95% t intervals over seeds. Factorial studies: x = first factor, colour = second factor,
 * one panel per level of the third; arms: one row per arm.
 *
 * @example
 * cellMeansSpec({ cells, factors: { depth: [2, 4, 8], activation: ['relu', 'gelu'] }, metric: 'test accuracy (%)' })
 */
export function cellMeansSpec(input: { cells: readonly CellMeanInput[]; factors: Record<string, readonly Level[]> | null; metric: string; confidence?: number; width?: number }): TopLevelSpec & { data: { values: CellMeanRow[] } } {
  const factors = input.factors ? Object.keys(input.factors) : [];
  const values: CellMeanRow[] = input.cells.map((c) => ({ cell: c.cell, ...Object.fromEntries(factors.map((f) => [f, c.levels[f]])), mean: c.mean, lower: c.lower, upper: c.upper, n: c.values.length }));
  const width = input.width ?? PRINT_WIDTH;
  const ci = `${Math.round((input.confidence ?? 0.95) * 100)}% CI`;
  if (factors.length === 0) {
    return {
      $schema: SCHEMA, config: BASE_CONFIG as never, width: width - 140, height: Math.max(60, 18 * values.length),
      data: { values },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { y: { field: 'cell', type: 'nominal', title: null, sort: null }, x: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: `${input.metric}, mean and ${ci} over seeds` }, x2: { field: 'upper' } } },
        { mark: { type: 'point', filled: true, size: 40, color: OKABE_ITO[0] }, encoding: { y: { field: 'cell', type: 'nominal', sort: null }, x: { field: 'mean', type: 'quantitative' } } },
      ],
    } as TopLevelSpec & { data: { values: CellMeanRow[] } };
  }
  const [xFactor, colourFactor, panelFactor] = factors;
  const panels = panelFactor ? input.factors![panelFactor].length : 1;
  const panelWidth = Math.floor((width - 130) / panels) - 12;
  const encodingBase: Record<string, unknown> = {
    x: { field: xFactor, type: 'ordinal', title: factorLabel(xFactor), sort: levelSort(input.factors![xFactor]), axis: { labelAngle: 0 } },
    ...(colourFactor ? {
      color: { field: colourFactor, type: 'nominal', title: factorLabel(colourFactor), sort: levelSort(input.factors![colourFactor]) },
      xOffset: { field: colourFactor, type: 'nominal', sort: levelSort(input.factors![colourFactor]) },
    } : {}),
  };
  const layered = {
    width: panelWidth, height: 125,
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { ...encodingBase, y: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: `${input.metric} (mean, ${ci})` }, y2: { field: 'upper' } } },
      { mark: { type: 'point', filled: true, size: 36, opacity: 1 }, encoding: { ...encodingBase, y: { field: 'mean', type: 'quantitative' } } },
    ],
  };
  if (!panelFactor) return { $schema: SCHEMA, config: BASE_CONFIG as never, data: { values }, ...layered } as TopLevelSpec & { data: { values: CellMeanRow[] } };
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values },
    facet: { column: { field: panelFactor, type: 'ordinal', title: factorLabel(panelFactor), sort: levelSort(input.factors![panelFactor]) } },
    spec: layered,
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec & { data: { values: CellMeanRow[] } };
}

/**
 * Interaction of two factors: the mean of each (row level, colour level) combination over every other factor's
 * levels and every seed, one line per colour level; the faint points are the cell means that enter each average.
 *
 * @example
 * interactionSpec({ cells, factors, along: 'depth', by: 'activation', metric: 'test accuracy (%)' })
 */
export function interactionSpec(input: { cells: readonly CellMeanInput[]; factors: Record<string, readonly Level[]>; along: string; by: string; metric: string; width?: number }): TopLevelSpec & { data: { values: (InteractionRow & { kind: string })[] } } {
  const { along, by } = input;
  const rows: (InteractionRow & { kind: string })[] = [];
  for (const a of input.factors[along]) {
    for (const b of input.factors[by]) {
      const cells = input.cells.filter((c) => String(c.levels[along]) === String(a) && String(c.levels[by]) === String(b));
      if (cells.length === 0) continue;
      const runs = cells.flatMap((c) => c.values);
      rows.push({ kind: 'mean', row: a, colour: b, mean: runs.reduce((s, v) => s + v, 0) / runs.length, cells: cells.length, runs: runs.length });
      for (const c of cells) rows.push({ kind: 'cell', row: a, colour: b, mean: c.mean, cells: 1, runs: c.values.length });
    }
  }
  const x = { field: 'row', type: 'ordinal', title: factorLabel(along), sort: levelSort(input.factors[along]), axis: { labelAngle: 0 } };
  const color = { field: 'colour', type: 'nominal', title: factorLabel(by), sort: levelSort(input.factors[by]) };
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, width: (input.width ?? PRINT_WIDTH) * 0.5, height: 120,
    data: { values: rows },
    layer: [
      { transform: [{ filter: "datum.kind === 'cell'" }], mark: { type: 'point', size: 18, opacity: 0.45 }, encoding: { x, color, y: { field: 'mean', type: 'quantitative', scale: { zero: false } } } },
      { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'line', point: { filled: true, size: 46 }, strokeWidth: 2 }, encoding: { x, color, y: { field: 'mean', type: 'quantitative', title: input.metric } } },
    ],
  } as TopLevelSpec & { data: { values: (InteractionRow & { kind: string })[] } };
}

function shortClaim(claim: string, max = 54): string {
  const cut = claim.replace(/\s*\(by more than[^)]*\)/, '').replace(/\s*\(within[^)]*\)/, '');
  return cut.length <= max ? cut : `${cut.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/**
 * Forest plot of every hypothesis: the deciding interval (Bonferroni-adjusted for confirmatory families) and the
 * estimate, coloured and labelled by verdict, over the band (−SESOI, +SESOI) with the claimed threshold dashed.
 * Hypotheses without an interval (incomplete, error) are listed in the label only.
 *
 * @example
 * forestSpec(file.hypotheses)
 */
export function forestSpec(hypotheses: readonly FigureHypothesis[], options: { width?: number; compact?: boolean } = {}): TopLevelSpec & { data: { values: ForestRow[] } } {
  const values: ForestRow[] = hypotheses.filter((h) => h.estimate !== null && h.lower !== null && h.upper !== null && Number.isFinite(h.lower) && Number.isFinite(h.upper)).map((h) => ({
    id: h.id,
    label: options.compact ? h.id : `${h.id}  ${shortClaim(h.claim)}`,
    estimate: h.estimate!, lower: h.lower!, upper: h.upper!, sesoi: h.sesoi,
    threshold: h.direction === 'equivalent' ? null : h.direction === 'greater' ? h.sesoi : -h.sesoi,
    verdict: h.verdict, confidence: h.confidence, claim: h.claim, unit: h.unit,
  }));
  const units = [...new Set(hypotheses.filter((h) => values.some((v) => v.id === h.id)).map((h) => h.unit))];
  const width = options.width ?? PRINT_WIDTH;
  const plotWidth = options.compact ? width - 130 : width - 300;
  const y = { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: options.compact ? 60 : 300, labelFontSize: 10, domain: false, ticks: false } };
  const verdicts = VERDICT_ORDER.filter((v) => values.some((r) => r.verdict === v));
  const color = { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: verdicts, range: verdicts.map((v) => VERDICT_COLOURS[v]) }, legend: null };
  const xTitle = (unit: string) => `effect (${unit}); grey band = ±SESOI, dashed = claimed threshold`;
  const layers = (unit: string) => [
    { mark: { type: 'bar', color: '#d9d9d9', opacity: 0.7, height: { band: 0.8 } }, encoding: { y, x: { field: 'negSesoi', type: 'quantitative' }, x2: { field: 'sesoi' } } },
    { mark: { type: 'rule', color: '#222', strokeWidth: 1 }, encoding: { x: { datum: 0, type: 'quantitative' } } },
    { transform: [{ filter: 'datum.threshold !== null' }], mark: { type: 'tick', color: '#444', strokeDash: [3, 2], thickness: 1.2, bandSize: 18 }, encoding: { y, x: { field: 'threshold', type: 'quantitative' } } },
    { mark: { type: 'rule', strokeWidth: 2.4 }, encoding: { y, color, x: { field: 'lower', type: 'quantitative', title: xTitle(unit) }, x2: { field: 'upper' } } },
    { mark: { type: 'point', filled: true, size: 52, opacity: 1 }, encoding: { y, color, x: { field: 'estimate', type: 'quantitative' } } },
    { mark: { type: 'text', align: 'left', dx: 8, fontSize: 9.5, fontWeight: 'bold' }, encoding: { y, color, text: { field: 'verdictWord' }, x: { value: plotWidth } } },
  ];
  const transform = [{ calculate: '-datum.sesoi', as: 'negSesoi' }, { calculate: 'upper(datum.verdict)', as: 'verdictWord' }];
  // Effects in different units never share an axis: one panel per unit, stacked.
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values }, transform,
    vconcat: (units.length ? units : ['']).map((unit) => ({
      transform: [{ filter: { field: 'unit', equal: unit } }],
      width: plotWidth, height: Math.max(24, values.filter((v) => v.unit === unit).length * 24),
      layer: layers(unit),
    })),
    spacing: 14,
  } as unknown as TopLevelSpec & { data: { values: ForestRow[] } };
}

/**
 * Learning curves: validation accuracy (percent) per epoch, the mean over seeds as a line and the seeds' range as
 * a band, one panel per level of the first factor, coloured by the second, one line per cell.
 *
 * @example
 * learningCurveSpec({ runs, factors, })
 */
export function learningCurveSpec(input: { runs: readonly CurveRun[]; factors: Record<string, readonly Level[]> | null; width?: number }): TopLevelSpec & { data: { values: CurveRow[] } } {
  const factors = input.factors ? Object.keys(input.factors) : [];
  const byKey = new Map<string, { run: CurveRun; epoch: number; values: number[] }>();
  for (const run of input.runs) {
    for (const point of run.curve) {
      if (point.validationAccuracy === undefined) continue;
      const key = `${run.cell}\u0000${point.epoch}`;
      const entry = byKey.get(key) ?? { run, epoch: point.epoch, values: [] };
      entry.values.push(point.validationAccuracy * 100);
      byKey.set(key, entry);
    }
  }
  const values: CurveRow[] = [...byKey.values()].map(({ run, epoch, values: v }) => ({
    cell: run.cell, ...Object.fromEntries(factors.map((f) => [f, run.levels[f]])), epoch,
    mean: v.reduce((s, x) => s + x, 0) / v.length, min: Math.min(...v), max: Math.max(...v), seeds: v.length,
  }));
  const [panelFactor, colourFactor] = factors;
  const panels = panelFactor ? input.factors![panelFactor].length : 1;
  const width = input.width ?? PRINT_WIDTH;
  const color = colourFactor
    ? { field: colourFactor, type: 'nominal', title: factorLabel(colourFactor), sort: levelSort(input.factors![colourFactor]) }
    : { field: 'cell', type: 'nominal', title: 'cell' };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } };
  const layered = {
    width: Math.floor((width - 130) / panels) - 12, height: 120,
    layer: [
      { mark: { type: 'area', opacity: 0.18 }, encoding: { x, color, detail: { field: 'cell' }, y: { field: 'min', type: 'quantitative', scale: { zero: false }, title: 'validation accuracy (%)' }, y2: { field: 'max' } } },
      { mark: { type: 'line', strokeWidth: 1.3 }, encoding: { x, color, detail: { field: 'cell' }, y: { field: 'mean', type: 'quantitative' } } },
    ],
  };
  if (!panelFactor) return { $schema: SCHEMA, config: BASE_CONFIG as never, data: { values }, ...layered } as TopLevelSpec & { data: { values: CurveRow[] } };
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values },
    facet: { column: { field: panelFactor, type: 'ordinal', title: factorLabel(panelFactor), sort: levelSort(input.factors![panelFactor]) } },
    spec: layered,
  } as TopLevelSpec & { data: { values: CurveRow[] } };
}

/**
 * One run's learning curve (validation accuracy in percent, and training loss), small, for a Vitest UI annotation.
 *
 * @example
 * runCurveSpec({ cell: 'd2-relu-wd0', seed: 1, curve: record.curve })
 */
export function runCurveSpec(run: { cell: string; seed: number; curve: CurveRun['curve'] }): TopLevelSpec & { data: { values: { epoch: number; measure: string; value: number }[] } } {
  const values = run.curve.flatMap((p) => [
    ...(p.validationAccuracy !== undefined ? [{ epoch: p.epoch, measure: 'validation accuracy (%)', value: p.validationAccuracy * 100 }] : []),
    { epoch: p.epoch, measure: 'training loss', value: p.trainLoss },
  ]);
  return {
    $schema: SCHEMA, config: BASE_CONFIG as never, data: { values },
    title: { text: `${run.cell}, seed ${run.seed}`, fontSize: 10.5 },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['validation accuracy (%)', 'training loss'] } },
    spec: { width: 150, height: 80, mark: { type: 'line', point: { size: 14 }, color: OKABE_ITO[0] }, encoding: { x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null } } },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec & { data: { values: { epoch: number; measure: string; value: number }[] } };
}
