import { describe, expect, test } from 'vitest';
import { median, summaryLine } from './summary.ts';

describe('bench summary', () => {
  test('median of odd and even counts; an empty list is an error', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  test('the last line: one median ratio per depth, in the order measured, null without PyTorch', () => {
    const line = summaryLine(new Map([[2, [0.8123, 0.9, 0.7]], [4, [1, 1.2, 0.95]], [8, []]]));
    expect(line).toBe('{"summary": {"mlp_d2": 0.812, "mlp_d4": 1, "mlp_d8": null}}');
    expect(JSON.parse(line)).toEqual({ summary: { mlp_d2: 0.812, mlp_d4: 1, mlp_d8: null } });
  });

  test('named entries (xgb) follow the depths; xgb alone when run by itself', () => {
    expect(summaryLine(new Map([[2, [0.9]]]), new Map([['xgb', [0.95, 1.02, 0.9]]]))).toBe('{"summary": {"mlp_d2": 0.9, "xgb": 0.95}}');
    expect(summaryLine(new Map(), new Map([['xgb', []]]))).toBe('{"summary": {"xgb": null}}');
  });
});
