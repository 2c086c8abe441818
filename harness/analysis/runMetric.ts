import { chanceMetrics } from '../metrics.ts';
import type { MetricName } from '../study.ts';
import type { RunRecord } from '../store.ts';
import type { SplitName } from '../types.ts';

/**
 * How a diverged run enters an analysis: `'chance'` counts it at chance level (accuracy 100/K percent, the
 * uniform prediction's nll), `'missing'` leaves it out (null). A diverged run is never dropped silently: the
 * caller chooses by the study's registered rule and says so.
 */
export type DivergedAs = 'chance' | 'missing';

/**
 * The one reading of a run's metric on a split: the stored value for a finished run, the chance value or null for
 * a diverged one (see {@link DivergedAs}), null when the run was not evaluated on that split.
 * The unit is the metric's (accuracy: percent; nll: nats).
 *
 * @example
 * runMetric(record, 'test', 'accuracy', 'chance') // 88.74, or 10 for a diverged 10-class run
 */
export function runMetric(record: RunRecord, split: SplitName, metric: MetricName, divergedAs: DivergedAs): number | null {
  if (record.status === 'diverged') return divergedAs === 'chance' ? chanceMetrics(record.numClasses)[metric] : null;
  return record.metrics[split]?.[metric] ?? null;
}
