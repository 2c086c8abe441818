/**
 * The figures of a study's report, built from verdicts.json and the run records with the pure spec builders of
 * `harness/figures/` and rendered to SVG. Each has a file name, a caption (used by the paper and the slides) and
 * its Vega-Lite spec (whose data the tests compare with the records).
 */
import type { TopLevelSpec } from 'vega-lite';
import { cellMeansSpec, forestSpec, interactionSpec, learningCurveSpec, type CellMeanInput, type CurveRun } from '../../harness/figures/specs.ts';
import { renderSvg } from '../../harness/figures/render.ts';
import type { RunRecord } from '../../harness/store.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { formatConfidence } from '../../harness/figures/format.ts';

/** One report figure. */
export interface ReportFigure {
  /** File name under `figures/`, e.g. `forest.svg`. */
  file: string;
  /** Short title used on slides. */
  title: string;
  /** Full caption (without the "Figure n." prefix). */
  caption: string;
  spec: TopLevelSpec;
  /** Natural width of the rendered SVG in px (= pt in print), set by {@link renderFigures}. */
  width?: number;
}

/** What the primary metric is called on the analysed split, e.g. "test accuracy (%)". */
export function metricLabel(file: VerdictsFile): string {
  const summary = file.summary;
  const metric = summary?.metric ?? 'accuracy';
  return `${file.profile === 'registered' ? 'test' : 'validation'} ${metric === 'accuracy' ? 'accuracy (%)' : metric}`;
}

/** The cell means of the primary metric on the analysed split. */
export function cellMeans(file: VerdictsFile): CellMeanInput[] {
  const summary = file.summary;
  if (!summary) return [];
  const key = `${summary.split}.${summary.metric}`;
  return summary.cells.filter((c) => c.metrics[key]).map((c) => ({ cell: c.cell, levels: c.levels, ...c.metrics[key] }));
}

/** Learning curves of the records that belong to the design. */
export function curveRuns(file: VerdictsFile, runs: readonly RunRecord[]): CurveRun[] {
  const levels = new Map(file.summary?.cells.map((c) => [c.cell, c.levels]) ?? []);
  return runs.filter((r) => file.design.cells.includes(r.cell) && file.design.seeds.includes(r.seed))
    .map((r) => ({ cell: r.cell, seed: r.seed, levels: levels.get(r.cell) ?? (r.config as Record<string, string | number>), curve: r.curve }));
}

/** The report's figures, in the order the paper shows them. */
export function reportFigures(file: VerdictsFile, runs: readonly RunRecord[]): ReportFigure[] {
  const figures: ReportFigure[] = [];
  const cells = cellMeans(file);
  const metric = metricLabel(file);
  const factors = file.design.factors;
  const seeds = file.design.seeds.length;
  const confirmatory = file.hypotheses.find((h) => h.confirmatory);
  figures.push({
    file: 'forest.svg', title: 'Every hypothesis against its SESOI', spec: forestSpec(file.hypotheses),
    caption: `Every pre-registered hypothesis: estimate and deciding interval (${confirmatory ? `${formatConfidence(confirmatory.confidence)}, Bonferroni-adjusted, for the confirmatory family; ` : ''}${formatConfidence(file.design.analysis.confidence)} for exploratory ones), coloured and labelled by verdict. The grey band is (−SESOI, +SESOI); the dashed tick marks the threshold a directional claim must clear.`,
  });
  if (cells.length > 0) {
    figures.push({
      file: 'cell-means.svg', title: 'Cell means', spec: cellMeansSpec({ cells, factors, metric, confidence: file.summary!.confidence }),
      caption: `Mean ${metric} of every cell over its ${seeds} seeds, with ${formatConfidence(file.summary!.confidence)} t intervals over seeds (n = ${seeds} per cell; these per-cell intervals are descriptive, the hypotheses use the pooled model).`,
    });
  }
  if (factors && Object.keys(factors).length >= 2 && cells.length > 0) {
    const [along, by] = Object.keys(factors);
    figures.push({
      file: 'interaction.svg', title: `${along} × ${by}`, spec: interactionSpec({ cells, factors, along, by, metric }),
      caption: `The ${along} × ${by} interaction: mean ${metric} at each combination, averaged over the other factors and the seeds (lines); the faint points are the cell means that enter each average.`,
    });
  }
  const curves = curveRuns(file, runs);
  if (curves.some((c) => c.curve.some((p) => p.validationAccuracy !== undefined))) {
    figures.push({
      file: 'learning-curves.svg', title: 'Learning curves', spec: learningCurveSpec({ runs: curves, factors }),
      caption: `Learning curves: validation accuracy after each epoch, the mean over the ${seeds} seeds of every cell (lines) and the range over seeds (bands)${factors && Object.keys(factors).length >= 3 ? `; the ${Object.keys(factors)[2]} levels of a panel and colour are separate lines` : ''}.`,
    });
  }
  return figures;
}

/** Renders every figure to SVG (file name → SVG text). */
export async function renderFigures(figures: ReportFigure[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const figure of figures) {
    out[figure.file] = await renderSvg(figure.spec);
    const width = /<svg[^>]*\swidth="([\d.]+)"/.exec(out[figure.file]);
    if (width) figure.width = Number(width[1]);
  }
  return out;
}
