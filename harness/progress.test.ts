import { describe, expect, test } from 'vitest';
import { createProgressPrinter } from './progress.ts';

describe('createProgressPrinter', () => {
  function printer(minIntervalSeconds = 1) {
    const lines: string[] = [];
    let clock = 0;
    const onEpoch = createProgressPrinter({ cell: 'd4-gelu-wd1e-4', seed: 2, epochs: 10, minIntervalSeconds, write: (line) => lines.push(line), now: () => clock });
    return { lines, onEpoch, advance: (seconds: number) => (clock += seconds * 1000) };
  }

  test('formats cell, seed, epoch, validation accuracy, loss, elapsed and remaining time', () => {
    const { lines, onEpoch, advance } = printer();
    advance(12);
    onEpoch({ epoch: 3, trainLoss: 0.351, validationAccuracy: 0.874 });
    expect(lines).toEqual(['[d4-gelu-wd1e-4 seed 2] epoch 3/10  val acc 87.40%  loss 0.3510  12s elapsed, ~28s left\n']);
  });

  test('omits what it does not know and shows minutes for long runs', () => {
    const { lines, onEpoch, advance } = printer();
    advance(150);
    onEpoch({ epoch: 5, trainLoss: Number.NaN });
    expect(lines).toEqual(['[d4-gelu-wd1e-4 seed 2] epoch 5/10  loss NaN  2m30s elapsed, ~2m30s left\n']);
  });

  test('prints at most one line per interval, but always the last epoch', () => {
    const { lines, onEpoch, advance } = printer(5);
    for (let epoch = 1; epoch <= 10; epoch++) {
      advance(1);
      onEpoch({ epoch, trainLoss: 1 / epoch, validationAccuracy: 0.5 });
    }
    expect(lines.map((line) => line.match(/epoch (\d+)\/10/)?.[1])).toEqual(['1', '6', '10']);
    expect(lines[2]).toContain('10s elapsed, ~0s left');
  });

  test('boosting rounds count toward their own total, not the budget\'s epochs', () => {
    const { lines, onEpoch, advance } = printer(5);
    for (let round = 1; round <= 60; round++) {
      advance(1);
      onEpoch({ epoch: round, unit: 'round', of: 60, trainLoss: 0.1 });
    }
    expect(lines.at(-1)).toBe('[d4-gelu-wd1e-4 seed 2] round 60/60  loss 0.1000  60s elapsed, ~0s left\n');
    expect(lines[1]).toMatch(/round 6\/60 .* ~54s left/);
  });
});
