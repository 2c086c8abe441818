import { InvalidInputError } from '../errors.ts';

/** One equal-width confidence bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lower edge (excluded, except 0 in the first bin) and upper edge (included), in [0, 1]. */
  lower: number;
  upper: number;
  /** Examples whose confidence falls in the bin. */
  count: number;
  /** Sum of their confidences and number of correct predictions (exact, for pooling bins over runs). */
  confidenceSum: number;
  correct: number;
  /** Mean confidence and accuracy of the bin, fractions; null when the bin is empty. */
  confidence: number | null;
  accuracy: number | null;
}

/**
 * The bins of a top-label reliability diagram: examples put into `bins` equal-width bins by their confidence (the
 * largest predicted probability), bin b holding (b/B, (b+1)/B] (the first also 0), each with its count, mean confidence
 * and accuracy. The same binning as {@link expectedCalibrationError}, which is their weighted gap:
 * ECE = Σ_b (n_b / n) |accuracy_b − confidence_b| (Guo, Pleiss, Sun & Weinberger 2017, eq. 3; Naeini et al. 2015).
 *
 * @throws {InvalidInputError} when `bins` is not a positive integer, there are no examples, the arrays differ in
 *   length, a confidence is outside [0, 1] or NaN, or a correctness flag is not 0 or 1.
 * @example
 * reliabilityBins([0.7, 0.6, 0.5, 0.8, 0.4, 0.45], [1, 0, 1, 0, 1, 0], { bins: 5 })[2]
 * // { lower: 0.4, upper: 0.6, count: 3, confidence: 0.5167, accuracy: 0.3333, ... }
 */
export function reliabilityBins(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: { readonly bins: number }): ReliabilityBin[] {
  const api = 'reliabilityBins';
  const bins = options?.bins;
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidInputError(`${api}: bins must be a positive integer (the registered bin count, e.g. 15), got ${String(bins)}.`);
  const n = confidence?.length ?? 0;
  if (n === 0) throw new InvalidInputError(`${api}: no examples. Fix: pass at least one confidence and correctness flag.`);
  if (correct?.length !== n) throw new InvalidInputError(`${api}: ${correct?.length} correctness flags for ${n} confidences; pass one per example.`);
  const count = new Float64Array(bins);
  const right = new Float64Array(bins);
  const sum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const c = confidence[i];
    if (!(c >= 0 && c <= 1)) throw new InvalidInputError(`${api}: confidence ${c} of example ${i} is outside [0, 1]. Fix: pass the largest predicted probability of each example.`);
    if (correct[i] !== 0 && correct[i] !== 1) throw new InvalidInputError(`${api}: correctness flag ${correct[i]} of example ${i} is not 0 or 1.`);
    // The bin b with b/B < c <= (b+1)/B, decided by comparing with the edges b/B themselves (c * B can round
    // across an edge: 0.3 * 10 = 3.0000000000000004).
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    while (b > 0 && c <= b / bins) b--;
    while (b < bins - 1 && c > (b + 1) / bins) b++;
    count[b]++;
    sum[b] += c;
    right[b] += correct[i];
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins, upper: (b + 1) / bins, count: count[b], confidenceSum: sum[b], correct: right[b],
    confidence: count[b] > 0 ? sum[b] / count[b] : null, accuracy: count[b] > 0 ? right[b] / count[b] : null,
  }));
}
