/**
 * The figures of an arms study's paper and slides, built from {@link ArmsReportData} with the pure spec builders of
 * `harness/figures/armsSpecs.ts`: per-arm metrics on test and shift with intervals, per-corruption accuracy, reliability
 * diagrams, the per-seed paired differences of the top two arms, and the search trials. A figure whose data the
 * records do not hold (no shift split, no search, no confidences) is left out.
 */
import { armMetricsSpec, corruptionAccuracySpec, pairedDifferencesSpec, reliabilitySpec, searchTrialsSpec, type PairedIntervalRow, type PairedSeedRow } from '../../harness/figures/armsSpecs.ts';
import { formatConfidence } from '../../harness/figures/format.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { metricAxis, type ArmsReportData } from './armsData.ts';
import type { ReportFigure } from './figures.ts';

/** Width of a figure printed beside another (half the 5.5 in text block, less the gutter). */
const HALF_WIDTH = 192;

/** File names of the arms figures, in the order the paper shows them. */
export const ARMS_FIGURES = ['arm-metrics.svg', 'corruptions.svg', 'reliability.svg', 'paired-differences.svg', 'search-trials.svg'] as const;

/** The arms paper's figures, in order. */
export function armsFigures(file: VerdictsFile, data: ArmsReportData): ReportFigure[] {
  const figures: ReportFigure[] = [];
  const ci = formatConfidence(data.confidence);
  const n = data.seeds.length;
  const sealed = data.splits.filter((s) => s !== 'validation');
  const shown = sealed.length ? sealed : data.splits;
  const rows = data.metricRows.filter((r) => (shown as string[]).includes(r.split)).map((r) => ({ ...r, metric: metricAxis(r.metric) }));
  if (rows.length) {
    figures.push({
      file: 'arm-metrics.svg', title: 'Every arm on every metric',
      spec: armMetricsSpec({ rows, arms: data.arms, metrics: data.metrics.map(metricAxis), splits: shown }),
      caption: `Every arm's mean of each metric over its ${n} final seeds on the ${shown.join(' and ')} split${shown.length > 1 ? 's' : ''} (colour), with ${ci} t intervals over seeds. Accuracy and macro-F1: higher is better; NLL, ECE and Brier: lower is better.`,
    });
  }
  if (data.corruptionRows.length) {
    figures.push({
      file: 'corruptions.svg', title: 'Accuracy per corruption',
      spec: corruptionAccuracySpec({ rows: data.corruptionRows, arms: data.arms, corruptions: ['clean test', ...data.corruptions], confidence: data.confidence }),
      caption: `Accuracy of each arm on the clean test split and on each registered corruption of the shift split (corruption-severity): mean over ${n} seeds, ${ci} t intervals.`,
    });
  }
  if (data.reliability.length) {
    const splits = [...new Set(data.reliability.map((r) => r.split))];
    figures.push({
      file: 'reliability.svg', title: 'Reliability diagrams',
      spec: reliabilitySpec({ rows: data.reliability, arms: data.arms.filter((a) => data.reliability.some((r) => r.arm === a)), splits, bins: data.eceBins }),
      caption: `Reliability diagrams: accuracy against mean confidence (top-class probability) in the ${data.eceBins} equal-width bins registered for the ECE, pooled over each arm's ${n} seeds, on ${splits.join(' and ')}; point size: examples in the bin; dashed: perfect calibration.`,
    });
  }
  const made = data.paired.filter((p): p is Extract<typeof p, { comparison: unknown }> => 'comparison' in p);
  if (made.length) {
    const first = made[0].comparison;
    const seeds: PairedSeedRow[] = made.flatMap((p) => p.comparison.perSeed.map((s) => ({ split: p.split, seed: s.seed, difference: s.difference })));
    const intervals: PairedIntervalRow[] = made.flatMap((p) => [
      { split: p.split, method: `paired t ${formatConfidence(p.comparison.pairedT.confidence)}`, estimate: p.comparison.pairedT.estimate, lower: p.comparison.pairedT.lower, upper: p.comparison.pairedT.upper },
      ...('unavailable' in p.comparison.bootstrap ? [] : [{ split: p.split, method: `bootstrap ${formatConfidence(p.comparison.bootstrap.confidence)}`, estimate: p.comparison.bootstrap.estimate, lower: p.comparison.bootstrap.lower, upper: p.comparison.bootstrap.upper }]),
    ]);
    const topTwo = file.hypotheses.find((h) => h.chosen && h.split === 'test') ?? file.hypotheses.find((h) => h.chosen);
    figures.push({
      file: 'paired-differences.svg', title: `${first.best} − ${first.second}, seed by seed`,
      spec: pairedDifferencesSpec({ seeds, intervals, splits: made.map((p) => p.split), sesoi: topTwo?.sesoi ?? null, title: `${first.best} − ${first.second}, accuracy (pp)`, width: HALF_WIDTH }),
      caption: `The top two arms by validation accuracy, ${first.best} − ${first.second}: each seed's accuracy difference (dots, labelled by seed) on ${made.map((p) => p.split).join(' and ')}, with the paired t interval over seeds (primary) and the two-level bootstrap interval over seeds and examples (sensitivity), both unadjusted; solid line 0${topTwo ? `, dashed line the SESOI of ${topTwo.id}` : ''}.`,
    });
  }
  const trialRows = data.search?.arms.flatMap((a) => a.trials) ?? [];
  if (trialRows.length) {
    figures.push({
      file: 'search-trials.svg', title: 'The search',
      spec: searchTrialsSpec({ rows: trialRows, arms: data.arms, width: HALF_WIDTH }),
      caption: `The seeded random search, on validation only: every trial's validation accuracy per arm; the ringed trial of each arm is the configuration its final seeds train (best validation accuracy, ties to the earlier trial).`,
    });
  }
  return figures;
}
