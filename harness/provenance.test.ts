import { describe, expect, test } from 'vitest';
import { arms, lookup, runRecord } from '../fixtures/analysis.ts';
import type { PreregLock } from './lock.ts';
import { studyProvenance } from './provenance.ts';
import type { RunRecord } from './store.ts';

const lock: PreregLock = {
  schemaVersion: 2, study: 'unit', hash: 'h'.repeat(64), files: {}, dataset: { id: 'fake', fingerprint: 'f' }, lockedAt: '2026-01-01T00:00:00.000Z',
  gitCommit: '1'.repeat(40), gitDirty: false, harnessVersion: '0.1.0', harnessCommit: 'a'.repeat(40), harnessDirty: false,
};

function records(study: ReturnType<typeof arms>, extra: (cell: string, seed: number) => Partial<RunRecord>) {
  const map = new Map<string, RunRecord>();
  for (const cell of study.cellIds) for (const seed of study.seeds) map.set(`${cell}/${seed}`, runRecord(cell, seed, {}, extra(cell, seed)));
  return map;
}
const env = (backend: string, harnessCommit?: string) => ({ node: '', platform: '', cpu: '', cores: 1, backend, harnessVersion: '0.1.0', gitCommit: '2'.repeat(40), gitDirty: false, ...(harnessCommit ? { harnessCommit } : {}) });

describe('studyProvenance', () => {
  test("states the runs' harness commits and backends beside the lock's, and a verified order when every run recorded it", () => {
    const study = arms(['x', 'y'], [1, 2]);
    const map = records(study, (cell) => ({ schemaVersion: 2, environment: env(cell === 'x' ? 'fast-cpu' : 'wasm', 'b'.repeat(40)), lockOrder: { state: 'verified', commit: 'c'.repeat(40) } }));
    const p = studyProvenance(study, lookup(map), 'registered', lock);
    expect(p.runs).toEqual({ count: 4, harnessCommits: ['b'.repeat(40)], projectCommits: ['2'.repeat(40)], harnessVersions: ['0.1.0'], backends: ['fast-cpu', 'wasm'] });
    expect(p.lock.harnessCommit).toBe('a'.repeat(40));
    expect(p.order).toBe('verified');
    expect(p.line).toBe(
      'Lock (format 2): harness 0.1.0 at commit aaaaaaaaaa, project commit 1111111111; no backend is fixed by the lock. ' +
        'Runs (4): harness 0.1.0 at commit bbbbbbbbbb, project commit 2222222222, backends fast-cpu, wasm. Order: git showed the lock committed before every sealed opening.',
    );
  });

  test('one run outside git makes the order unverifiable; format-1 records make it "not recorded"; the pilot backends are named', () => {
    const study = arms(['x', 'y'], [1, 2], { pilot: { cells: ['x'], seeds: [9, 10], reason: 'spread' } });
    const map = records(study, (cell, seed) => ({ schemaVersion: 2, environment: env('fast-cpu'), lockOrder: cell === 'y' && seed === 2 ? { state: 'unverifiable', reason: 'the study is not in a git work tree' } : { state: 'verified', commit: 'c'.repeat(40) } }));
    const pilot = new Map([9, 10].map((seed) => [`x/${seed}`, runRecord('x', seed, {}, { environment: env('wasm') })]));
    const p = studyProvenance(study, lookup(map), 'registered', lock, lookup(pilot));
    expect(p.order).toBe('unverifiable');
    expect(p.line).toContain('Order unverifiable');
    expect(p.pilot).toEqual({ count: 2, backends: ['wasm'], harnessVersions: ['0.1.0'] });
    expect(p.line).toContain('no backend is fixed by the lock (the pilot before it ran on wasm)');
    const old = records(study, () => ({ environment: env('fast-cpu') }));
    expect(studyProvenance(study, lookup(old), 'registered', { ...lock, schemaVersion: 1, harnessCommit: undefined }).order).toBe('not recorded');
    expect(studyProvenance(study, lookup(old), 'registered', { ...lock, schemaVersion: 1, harnessCommit: undefined }).line).toContain('harness commit not recorded');
  });
});
