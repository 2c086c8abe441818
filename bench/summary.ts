/**
 * The summary line of `npm run bench`: per MLP depth, the median over repetitions of hypotest's examples/s
 * divided by PyTorch's in the same repetition; `xgb`, the median of Python xgboost's training time over
 * hypotest's.
 */

/**
 * The median of a non-empty list (the mean of the two middle values for an even count).
 * @throws {Error} for an empty list.
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `{"summary": {"mlp_d2": r, "mlp_d4": r, "mlp_d8": r}}` (spaced as Python's json.dumps writes it) from the
 * ratios measured at each depth (hypotest over PyTorch, one per repetition), r the median rounded to 3
 * decimals; null for a depth without ratios (PyTorch unavailable). `named` appends further entries the same way
 * (e.g. `xgb`: Python's xgboost training time over hypotest's).
 * @example summaryLine(new Map([[2, [0.9, 1.1, 1.0]]])) // '{"summary": {"mlp_d2": 1}}'
 */
export function summaryLine(ratios: ReadonlyMap<number, readonly number[]>, named: ReadonlyMap<string, readonly number[]> = new Map()): string {
  const entries = [...[...ratios].map(([depth, values]) => [`mlp_d${depth}`, values] as const), ...named].map(
    ([name, values]) => `${JSON.stringify(name)}: ${values.length === 0 ? 'null' : JSON.stringify(Number(median(values).toFixed(3)))}`,
  );
  return `{"summary": {${entries.join(', ')}}}`;
}
