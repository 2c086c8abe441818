/**
 * Compatibility (issue 10): the committed ablation's version-1 records and version-1 lock stay valid under record
 * schema 2 and lock schema 2. A registered rerun of the ablation must train nothing and leave results/ unchanged: every
 * registered (cell, seed) and every pilot run finds its committed record through the one lookup the cells and the
 * hypotheses use, the strict lock check passes, and nothing here writes (results/ and the audit log are compared byte
 * for byte before and after). The end-to-end rerun itself (`flock /tmp/hypotest-heavy.lock npx vitest run experiments`,
 * then `git status --short results/` empty) is the heavy check that goes with this test.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import study from '../experiments/ablation/study.ts';
import { assertLockHolds, readLock } from './lock.ts';
import { lockOrder } from './lockOrder.ts';
import { findStoredRun } from './recordLookup.ts';
import { runKeyForVersion1 } from './runIdentity.ts';
import { cellFileHashes } from './studyFiles.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const studyDir = join(ROOT, 'experiments', 'ablation');

/** sha256 of every file under results/ (the audit log included), by path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(ROOT, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('the committed ablation stays valid (version-1 lock and records)', () => {
  const before = snapshot(join(ROOT, 'results'));
  const lock = readLock(studyDir)!;

  test('its lock is version 1, still holds under the strict check (no undeviated change, every cell has its file), and git shows it committed', () => {
    expect(lock.schemaVersion).toBe(1);
    const status = assertLockHolds(studyDir, 'ablation', { cells: study.cellIds });
    expect(status.changes.filter((c) => !c.deviation)).toEqual([]);
    expect(status.missingCells).toEqual([]);
    // The lock file's own commit (8bd4fbf), unmodified; its gitDirty: true is about other files at lock time.
    const order = lockOrder(studyDir, 'ablation');
    if (order.state === 'verified') expect(order.commit).toMatch(/^8bd4fbf/);
    else expect(order.reason).toMatch(/git/);
  });

  test("each cell's own files are just its cell file (no project imports), equal to the lock's hashes", () => {
    for (const cell of study.cellIds) {
      const files = cellFileHashes(studyDir, cell);
      expect(Object.keys(files)).toEqual([`cells/${cell}.exp.ts`]);
      expect(files[`cells/${cell}.exp.ts`]).toBe(lock.files[`cells/${cell}.exp.ts`]);
    }
  });

  test('every registered run (18 cells x 3 seeds) finds its committed version-1 record, so a rerun trains nothing', () => {
    let found = 0;
    for (const cell of study.cellIds) {
      for (const seed of study.seeds) {
        const run = { study, cell, seed, profile: 'registered' as const, lockHash: lock.hash };
        const { record, path } = findStoredRun(ROOT, run);
        expect(record, `${cell}/seed-${seed}`).not.toBeNull();
        expect(record!.schemaVersion).toBe(1);
        expect(record!.key).toBe(runKeyForVersion1(run));
        expect(path).toBe(join(ROOT, 'results', 'ablation', cell, `seed-${seed}.json`));
        found++;
      }
    }
    expect(found).toBe(54);
  });

  test('every pilot run finds its committed record too', () => {
    for (const cell of study.pilot!.cells) {
      for (const seed of study.pilot!.seeds) {
        const { record } = findStoredRun(ROOT, { study, cell, seed, profile: 'pilot', lockHash: null });
        expect(record, `pilot ${cell}/seed-${seed}`).not.toBeNull();
      }
    }
  });

  test('nothing above wrote to results/ (records, archive, audit log)', () => {
    expect(snapshot(join(ROOT, 'results'))).toEqual(before);
    expect(Object.keys(before)).toContain('results/ablation/audit.jsonl');
  });
});
