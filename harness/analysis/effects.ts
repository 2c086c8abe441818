import type { Level, Study } from '../study.ts';
import { describeSample } from '../stats/index.ts';

/** A contrast of cell means: per-factor level weights, multiplied across factors and averaged over the others. */
export interface ContrastEffect {
  kind: 'contrast';
  /** Weight of each named level, per factor; the weights of one factor sum to zero. */
  weights: Record<string, Record<string, number>>;
  label: string;
}
/** A seed-matched paired difference between two cells (arms): a minus b. */
export interface PairedEffect { kind: 'paired'; a: string; b: string; label: string }
/** The best minus the second-best cell, both chosen on mean validation accuracy (not on the metric compared). */
export interface TopTwoEffect { kind: 'top-two'; label: string }
/** One cell's (arm's) drop from the test split to the shift split, paired by seed: its metric on test minus on shift. */
export interface ShiftDropEffect { kind: 'shift-drop'; arm: string; label: string }
/** The effect a hypothesis is about; build it with {@link contrast}, {@link pairedDifference}, {@link topTwoOnValidation} or {@link shiftDrop}. */
export type Effect = ContrastEffect | PairedEffect | TopTwoEffect | ShiftDropEffect;

/**
 * A named contrast of cell means. `{ depth: { 8: 1, 2: -1 } }` is "depth 8 minus depth 2, averaged over
 * every other factor"; naming two factors gives their interaction (difference of differences).
 *
 * @example
 * contrast({ depth: { 8: 1, 2: -1 }, activation: { gelu: 1, relu: -1 } }) // does GELU's advantage grow with depth?
 */
export function contrast(weights: Record<string, Record<string | number, number>>, label?: string): ContrastEffect {
  const text = label ?? Object.entries(weights).map(([f, w]) => `${f}: ${Object.entries(w).map(([l, v]) => `${v > 0 ? '+' : ''}${v}×${l}`).join(' ')}`).join(' × ');
  return { kind: 'contrast', weights: weights as Record<string, Record<string, number>>, label: text };
}

/**
 * Seed-matched paired difference `a - b` between two cells.
 *
 * @example
 * pairedDifference('vit', 'mlp') // { kind: 'paired', a: 'vit', b: 'mlp', label: 'vit − mlp (paired by seed)' }
 */
export function pairedDifference(a: string, b: string): PairedEffect {
  return { kind: 'paired', a, b, label: `${a} − ${b} (paired by seed)` };
}

/**
 * The best minus the second-best cell, both chosen on validation accuracy.
 *
 * @example
 * topTwoOnValidation().kind // 'top-two'
 */
export function topTwoOnValidation(): TopTwoEffect {
  return { kind: 'top-two', label: 'best − second best (chosen on validation accuracy), paired by seed' };
}

/**
 * An arm's drop under distribution shift: its metric on the sealed test split minus its metric on the sealed shift split
 * (pooled over the registered corruptions), seed by seed, judged by a paired t over the seeds. For accuracy a positive
 * drop means the arm loses accuracy under shift; for a lower-is-better metric (nll, ECE, Brier) a shift that hurts gives
 * a negative drop (claim `direction: 'less'`). Needs a study with a shift split; judged only under the registered
 * profile (the quick and pilot profiles open no sealed split, so they cannot estimate it).
 *
 * @example
 * shiftDrop('mlp') // { kind: 'shift-drop', arm: 'mlp', label: 'mlp: test − shift (paired by seed)' }
 */
export function shiftDrop(arm: string): ShiftDropEffect {
  return { kind: 'shift-drop', arm, label: `${arm}: test − shift (paired by seed)` };
}

/** One cell's weight in a contrast of cell means. */
export interface CellWeight {
  cell: string;
  levels: Record<string, Level>;
  weight: number;
}

/**
 * Per-cell weights of a contrast: Π over named factors of the level weight, divided by the level counts of the
 * others. Needs a factorial study (checked by {@link validateHypothesis}).
 *
 * @example
 * contrastCellWeights(study2x2, contrast({ a: { a1: 1, a0: -1 } })) // ±1/2 on each cell
 */
export function contrastCellWeights(study: Study, effect: ContrastEffect): CellWeight[] {
  const factors = study.factors!;
  return study.cellIds.map((cellId) => {
    const levels = study.levelsOf(cellId);
    let weight = 1;
    for (const factor of Object.keys(factors)) {
      const named = effect.weights[factor];
      weight *= named ? (named[String(levels[factor])] ?? 0) : 1 / factors[factor].length;
    }
    return { cell: cellId, levels, weight };
  });
}

/**
 * The top two cells of {@link topTwoOnValidation}: every cell's mean validation accuracy over the study's seeds
 * (percent, from `validationAccuracy`), ranked highest first, ties in the study's cell order. The one home of that
 * choice, used by the hypotheses and by the paired comparison of the reports.
 *
 * @example
 * chooseTopTwo(study, (cell, seed) => runMetric(lookup(cell, seed)!, 'validation', 'accuracy', 'chance')!)
 * // { best: 'xgboost', second: 'mlp', validationMeans: { mlp: 83.81, vit: 78.9, xgboost: 87.5 } }
 */
export function chooseTopTwo(study: Study, validationAccuracy: (cell: string, seed: number) => number): { best: string; second: string; validationMeans: Record<string, number> } {
  const validationMeans: Record<string, number> = {};
  for (const cellId of study.cellIds) validationMeans[cellId] = describeSample(study.seeds.map((s) => validationAccuracy(cellId, s))).mean;
  const [best, second] = [...study.cellIds].sort((x, y) => validationMeans[y] - validationMeans[x]);
  return { best, second, validationMeans };
}
