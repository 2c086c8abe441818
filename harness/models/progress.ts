import { formatProgress } from '../progress.ts';
import type { EpochLog } from '../types.ts';

/** Options of {@link createProgressPrinter}. */
export interface ProgressPrinterOptions {
  /** Cell id shown in brackets, e.g. `d4-gelu-wd1e-4`. */
  readonly cell: string;
  readonly seed: number;
  /** Total epochs, for `epoch 3/10` and the time-left estimate. */
  readonly epochs: number;
  /** Where lines go (a trailing newline is added). Default: `process.stderr`. */
  readonly write?: (line: string) => void;
  /** At most one line per this many seconds, except that the last epoch always prints. Default 1. */
  readonly minIntervalSeconds?: number;
  /** Clock in milliseconds, for tests. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * An `onEpoch` callback that prints throttled progress lines (formatted by the harness's `formatProgress`),
 * e.g. `[d4-gelu-wd1e-4 seed 2] epoch 3/10  val acc 87.40%  loss 0.3510  12s elapsed, ~28s left`, for
 * training outside a cell (scripts, benchmarks). Elapsed time counts from the printer's creation; the time
 * left assumes the remaining epochs take as long as the mean so far.
 *
 * @example
 * await trainClassifier(mlp, data, { ...options, onEpoch: createProgressPrinter({ cell: 'anchor', seed: 0, epochs: 10 }) });
 */
export function createProgressPrinter(options: ProgressPrinterOptions): (log: EpochLog) => void {
  const now = options.now ?? (() => performance.now());
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const minIntervalMs = (options.minIntervalSeconds ?? 1) * 1000;
  const startedAt = now();
  let lastPrintedAt = -Infinity;
  return (log: EpochLog) => {
    const at = now();
    if (at - lastPrintedAt < minIntervalMs && log.epoch < options.epochs) return;
    lastPrintedAt = at;
    const secondsElapsed = (at - startedAt) / 1000;
    const line = formatProgress({
      cell: options.cell,
      seed: options.seed,
      epoch: log.epoch,
      epochs: options.epochs,
      validationAccuracy: log.validationAccuracy,
      trainLoss: log.trainLoss,
      secondsElapsed,
      secondsLeft: log.epoch > 0 ? (secondsElapsed / log.epoch) * Math.max(0, options.epochs - log.epoch) : undefined,
    });
    write(`${line}\n`);
  };
}
