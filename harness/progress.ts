import type { EpochLog, ProgressEvent } from './types.ts';

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  // Round first, so 119.6 s reads 2m00s, not 1m60s.
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return `${minutes}m${String(whole - minutes * 60).padStart(2, '0')}s`;
}

/**
 * One progress line for a training run, e.g.
 * `[d4-gelu-wd1e-4 seed 2] epoch 3/10  val acc 87.40%  loss 0.3510  12s elapsed, ~28s left`.
 *
 * @example
 * formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 2, secondsElapsed: 3 })
 */
export function formatProgress(event: ProgressEvent): string {
  const parts = [`[${event.cell} seed ${event.seed}] ${event.unit ?? 'epoch'} ${event.epoch}/${event.epochs}`];
  if (event.validationAccuracy !== undefined) parts.push(`val acc ${(event.validationAccuracy * 100).toFixed(2)}%`);
  if (event.trainLoss !== undefined) parts.push(`loss ${Number.isFinite(event.trainLoss) ? event.trainLoss.toFixed(4) : String(event.trainLoss)}`);
  let time = `${duration(event.secondsElapsed)} elapsed`;
  if (event.secondsLeft !== undefined && Number.isFinite(event.secondsLeft)) time += `, ~${duration(event.secondsLeft)} left`;
  parts.push(time);
  return parts.join('  ');
}


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
 * cells (the harness uses it for every run) and for training outside a cell (scripts, benchmarks). Elapsed time counts from the printer's creation; the time
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
    const total = log.of ?? options.epochs;
    if (at - lastPrintedAt < minIntervalMs && log.epoch < total) return;
    lastPrintedAt = at;
    const secondsElapsed = (at - startedAt) / 1000;
    const line = formatProgress({
      cell: options.cell,
      seed: options.seed,
      epoch: log.epoch,
      epochs: total,
      ...(log.unit ? { unit: log.unit } : {}),
      validationAccuracy: log.validationAccuracy,
      trainLoss: log.trainLoss,
      secondsElapsed,
      secondsLeft: log.epoch > 0 ? (secondsElapsed / log.epoch) * Math.max(0, total - log.epoch) : undefined,
    });
    write(`${line}\n`);
  };
}
