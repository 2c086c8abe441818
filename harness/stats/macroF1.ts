import { InvalidInputError } from '../errors.ts';
import { requireLabels, type ClassificationOutcomes } from './classificationOutcomes.ts';

/**
 * Macro-averaged F1 score: the unweighted mean over the classes 0 .. numClasses - 1 of each class's
 * F1 = 2 TP / (2 TP + FP + FN); a class that is neither present nor predicted scores 0 (no class is left out,
 * so the average always runs over the registered classes). A fraction in [0, 1]; multiply by 100 for percent.
 *
 * Reference: scikit-learn 1.2 `f1_score(y, predicted, labels=range(numClasses), average='macro',
 * zero_division=0)` (fixtures/stats/classification_metrics.py); Sokolova & Lapalme (2009), "A systematic
 * analysis of performance measures for classification tasks", Information Processing & Management 45(4).
 *
 * @throws {InvalidInputError} when numClasses is not an integer of at least 2, there are no examples, the
 *   arrays differ in length, or a label or prediction is not a class index.
 * @example
 * macroF1({ label: [0, 1, 1, 2, 0, 2], predictedClass: [0, 0, 1, 1, 0, 1] }, { numClasses: 3 }) // 0.4
 */
export function macroF1(outcomes: Pick<ClassificationOutcomes, 'label' | 'predictedClass'>, options: { numClasses: number }): number {
  const api = 'macroF1';
  const k = options?.numClasses;
  if (!Number.isInteger(k) || k < 2) throw new InvalidInputError(`${api}: numClasses must be an integer of at least 2, got ${String(k)}.`);
  const n = requireLabels(api, outcomes?.label, k);
  if (outcomes.predictedClass?.length !== n) throw new InvalidInputError(`${api}: predictedClass has ${outcomes.predictedClass?.length} values for ${n} labels; pass one per example.`);
  requireLabels(api, outcomes.predictedClass, k, 'predictedClass');
  const truePositives = new Float64Array(k);
  const actual = new Float64Array(k);
  const predicted = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = outcomes.label[i];
    const p = outcomes.predictedClass[i];
    actual[y]++;
    predicted[p]++;
    if (y === p) truePositives[y]++;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    // 2 TP + FP + FN = (TP + FP) + (TP + FN): predicted plus actual counts.
    const denominator = predicted[c] + actual[c];
    sum += denominator === 0 ? 0 : (2 * truePositives[c]) / denominator;
  }
  return sum / k;
}
