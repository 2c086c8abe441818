import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { estimatedCellSeconds, orderCellsLongestFirst } from './sequencer.ts';

function record(root: string, folder: string[], seed: number, trainSeconds: number): void {
  const dir = join(root, 'results', ...folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `seed-${seed}.json`), JSON.stringify({ timings: { trainSeconds } }));
}

describe('LongestCellsFirstSequencer', () => {
  const root = mkdtempSync(join(tmpdir(), 'hypotest-sequencer-'));
  record(root, ['s', 'deep'], 1, 60);
  record(root, ['s', 'deep'], 2, 80);
  record(root, ['.quick', 's', 'shallow'], 1, 2);
  record(root, ['.quick', 's', 'middle'], 1, 5);
  record(root, ['s', 'middle'], 1, 30); // registered records win over quick ones

  test('estimates a cell from the first profile with records', () => {
    expect(estimatedCellSeconds(root, 's', 'deep')).toBe(70);
    expect(estimatedCellSeconds(root, 's', 'middle')).toBe(30);
    expect(estimatedCellSeconds(root, 's', 'shallow')).toBe(2);
    expect(estimatedCellSeconds(root, 's', 'never')).toBeNull();
  });

  test('orders cells longest first (never-run cells first) and leaves other files where they were', () => {
    const spec = (path: string) => ({ moduleId: join(root, path) });
    const files = [
      spec('experiments/s/cells/shallow.exp.ts'), spec('harness/a.test.ts'), spec('experiments/s/cells/deep.exp.ts'),
      spec('experiments/s/cells/never.exp.ts'), spec('experiments/s/hypotheses.exp.ts'), spec('experiments/s/cells/middle.exp.ts'),
    ];
    const names = orderCellsLongestFirst(files, () => root).map((s) => s.moduleId.slice(root.length + 1));
    expect(names).toEqual([
      'experiments/s/cells/never.exp.ts', 'harness/a.test.ts', 'experiments/s/cells/deep.exp.ts',
      'experiments/s/cells/middle.exp.ts', 'experiments/s/hypotheses.exp.ts', 'experiments/s/cells/shallow.exp.ts',
    ]);
  });
});
