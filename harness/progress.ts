import type { ProgressEvent } from './types.ts';

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
}

/**
 * One progress line for a training run, e.g.
 * `[d4-gelu-wd1e-4 seed 2] epoch 3/10  val acc 87.40%  loss 0.3510  12s elapsed, ~28s left`.
 *
 * @example
 * formatProgress({ cell: 'a', seed: 1, epoch: 1, epochs: 2, secondsElapsed: 3 })
 */
export function formatProgress(event: ProgressEvent): string {
  const parts = [`[${event.cell} seed ${event.seed}] epoch ${event.epoch}/${event.epochs}`];
  if (event.validationAccuracy !== undefined) parts.push(`val acc ${(event.validationAccuracy * 100).toFixed(2)}%`);
  if (event.trainLoss !== undefined) parts.push(`loss ${Number.isFinite(event.trainLoss) ? event.trainLoss.toFixed(4) : String(event.trainLoss)}`);
  let time = `${duration(event.secondsElapsed)} elapsed`;
  if (event.secondsLeft !== undefined && Number.isFinite(event.secondsLeft)) time += `, ~${duration(event.secondsLeft)} left`;
  parts.push(time);
  return parts.join('  ');
}
