import { MetricUnavailableError } from '../errors.ts';
import { chanceMetrics, decodePredictions, type MetricValues } from '../metrics.ts';
import { brierScore, expectedCalibrationError } from '../stats/index.ts';
import { DEFAULT_ECE_BINS, METRICS, type MetricName } from '../study.ts';
import type { RunRecord } from '../store.ts';
import type { SplitName } from '../types.ts';

/**
 * How a diverged run enters an analysis: `'chance'` counts it at chance level ({@link chanceMetrics}: accuracy and
 * macro-F1 100/K percent, the uniform prediction's nll ln K, ECE 0, Brier 1 − 1/K), `'missing'` leaves it out (null).
 * A diverged run is never dropped silently: the caller chooses by the study's registered rule and says so.
 */
export type DivergedAs = 'chance' | 'missing';

/** Options of {@link runMetric}. */
export interface RunMetricOptions {
  /** The study's registered ECE bin count (`eceBinsOf(study)`), used when the ECE is computed from stored predictions. Default 15. */
  readonly eceBins?: number;
  /** Read the metric of one group of the split (e.g. one corruption of the shift split, `record.groupMetrics`) instead of the pooled split. */
  readonly group?: string;
}

/**
 * The one reading of a run's metric on a split: the stored value for a finished run, the chance value or null for
 * a diverged one (see {@link DivergedAs}), null when the run was not evaluated on that split (or that group).
 * A metric the record does not store (records written before issue 13 hold accuracy and nll only) is computed from
 * the record's per-example predictions of the sealed split where they hold what it needs: ECE from the top-class
 * probability and correctness, Brier from the true-class probability and the sum of squared probabilities.
 * The unit is the metric's ({@link METRICS}: accuracy, macro-F1, ECE in percent; nll in nats; Brier in [0, 2]).
 *
 * @throws {MetricUnavailableError} when the record lacks the metric and the data to compute it (macro-F1 needs the
 *   labels, which records do not keep; validation keeps no per-example data; older records lack confidences).
 * @example
 * runMetric(record, 'test', 'accuracy', 'chance') // 88.74, or 10 for a diverged 10-class run
 * runMetric(record, 'shift', 'ece', 'chance', { eceBins: 15, group: 'rotate-2' })
 */
export function runMetric(record: RunRecord, split: SplitName, metric: MetricName, divergedAs: DivergedAs, options: RunMetricOptions = {}): number | null {
  if (record.status === 'diverged') return divergedAs === 'chance' ? chanceMetrics(record.numClasses)[metric] : null;
  const values: MetricValues | undefined = options.group === undefined ? record.metrics[split] : record.groupMetrics?.[split as 'test' | 'shift']?.[options.group];
  if (!values) return null;
  const stored = values[metric];
  if (stored !== undefined) return stored;
  return metricFromPredictions(record, split, metric, options);
}

/** A metric the record does not store, computed from its per-example predictions (see {@link runMetric}). */
function metricFromPredictions(record: RunRecord, split: SplitName, metric: MetricName, options: RunMetricOptions): number {
  const where = `run ${record.cell}/seed-${record.seed} (study '${record.study}')`;
  const label = METRICS[metric].label;
  const encoded = split === 'test' || split === 'shift' ? record.predictions?.[split] : undefined;
  if (!encoded) {
    throw new MetricUnavailableError(`${where} stores no ${metric} (${label}) on the ${split} split and keeps no per-example predictions of it to compute it from. Fix: name ${metric} in the study's metrics (or the hypothesis) only for runs recorded since every metric is stored; old records give accuracy and nll.`);
  }
  const examples = decodePredictions(encoded);
  let keep: number[] | null = null;
  if (options.group !== undefined) {
    const g = examples.groupNames?.indexOf(options.group) ?? -1;
    if (g < 0 || !examples.groups) throw new MetricUnavailableError(`${where} keeps no examples of group '${options.group}' on the ${split} split. Fix: use a group the split registers (${(examples.groupNames ?? []).join(', ') || 'none'}).`);
    keep = [];
    for (let i = 0; i < examples.groups.length; i++) if (examples.groups[i] === g) keep.push(i);
  }
  const pick = (a: ArrayLike<number>): number[] => (keep ? keep.map((i) => a[i]) : Array.from(a));
  const missing = (what: string) => new MetricUnavailableError(`${where} stores no ${metric} (${label}) on the ${split} split, and its per-example predictions lack ${what} (written before they were kept), so it cannot be computed without a rerun. Fix: judge this record on accuracy or nll, or rerun it on purpose.`);
  switch (metric) {
    case 'ece': {
      if (!examples.topClassProbability) throw missing('the top-class probability');
      // The ECE needs only whether each prediction was right: a stand-in label equal to the prediction when correct, another class when not.
      const predicted = pick(examples.predictedClass);
      const correct = pick(examples.correct);
      const label = predicted.map((p, i) => (correct[i] ? p : p + 1));
      return 100 * expectedCalibrationError({ topClassProbability: pick(examples.topClassProbability), predictedClass: predicted, label }, { bins: options.eceBins ?? DEFAULT_ECE_BINS });
    }
    case 'brier':
      if (!examples.sumOfSquaredProbabilities) throw missing('the sum of squared probabilities');
      return brierScore({ trueClassProbability: pick(examples.trueClassProbability), sumOfSquaredProbabilities: pick(examples.sumOfSquaredProbabilities) });
    case 'macroF1':
      throw new MetricUnavailableError(`${where} stores no macroF1 on the ${split} split, and macro-F1 needs each example's true class, which records do not keep (only whether the prediction was right). Fix: judge this record on another metric, or rerun it on purpose.`);
    default:
      throw missing(`the data for ${metric}`);
  }
}
