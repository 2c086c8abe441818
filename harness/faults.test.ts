/**
 * Fault points (harness/faults.ts): the plan HYPOTEST_FAULT describes, and real kills: a child process in its own process
 * group writes through the store with a fault switched on, and dies by SIGKILL at exactly that point, leaving exactly the
 * state the point names. (The end-to-end crash test, fixtures/projects/crash.e2e.test.ts, does the same to real Vitest.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigurationError } from './errors.ts';
import { FAULT_POINTS, parseFaultPlan } from './faults.ts';
import { readAuditLog } from './store.ts';
import { errorOf } from '../fixtures/testing.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const TSX = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(os.tmpdir(), 'hypotest-faults-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('parseFaultPlan', () => {
  test('no variable, no faults; points with optional @n; random:<seed>[:p]; commas or bars', () => {
    expect(parseFaultPlan(undefined)).toEqual({ points: [], random: null });
    expect(parseFaultPlan('record-write-during@3|audit-append-during')).toEqual({
      points: [{ point: 'record-write-during', hit: 3 }, { point: 'audit-append-during', hit: 1 }], random: null,
    });
    expect(parseFaultPlan('random:7')).toEqual({ points: [], random: { seed: '7', probability: 0.25 } });
    expect(parseFaultPlan('sealed-before-record, random:x:0.5').random).toEqual({ seed: 'x', probability: 0.5 });
  });

  test('an unknown point, a bad count or probability is a ConfigurationError listing the points', () => {
    for (const value of ['record-write', 'record-write-before@0', 'record-write-before@x', 'random:', 'random:1:0', 'random:1:2']) {
      const error = errorOf(() => parseFaultPlan(value));
      expect(error, value).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(value);
    }
    expect(errorOf(() => parseFaultPlan('nope')).message).toContain(FAULT_POINTS.join(', '));
  });
});

/** A child in its own process group writes three records and three audit entries under HYPOTEST_FAULT. */
function runChild(fault: string, counter?: string) {
  const script = `
    import { writeRecord, appendAudit, recordPath } from ${JSON.stringify(join(REPO, 'harness', 'store.ts'))};
    const root = ${JSON.stringify(root)};
    for (const seed of [1, 2, 3]) {
      appendAudit(root, { study: 'unit', cell: 'c', seed, split: 'test', time: 't', lockHash: 'l', modelFingerprint: 'f' + seed, examples: 1 });
      writeRecord(recordPath(root, 'unit', 'registered', 'c', seed), { schemaVersion: 2, key: 'k' + seed, study: 'unit', cell: 'c', seed, profile: 'registered',
        lockHash: 'l', config: {}, budget: { epochs: 1 }, status: 'ok', metrics: {}, predictions: {}, numClasses: 2, modelFingerprint: 'f' + seed, curve: [],
        timings: { startedAt: 't', finishedAt: 't', trainSeconds: 0, evaluateSeconds: 0 }, environment: { node: 'v', platform: 'p', cpu: 'c', cores: 1, backend: 'b', harnessVersion: 'h', gitCommit: null, gitDirty: null } });
    }
    console.log('finished');
  `;
  // setsid: the child gets a process group of its own, so its SIGKILL of the group reaches no one else.
  return spawnSync('setsid', ['--wait', process.execPath, TSX, '--eval', script], {
    encoding: 'utf8', env: { ...process.env, HYPOTEST_FAULT: fault, ...(counter ? { HYPOTEST_FAULT_COUNTER: counter } : {}) }, timeout: 60_000,
  });
}
const records = () => (existsSync(join(root, 'results', 'unit', 'c')) ? readdirSync(join(root, 'results', 'unit', 'c')).sort() : []);
const audit = () => readAuditLog(join(root, 'results', 'unit', 'audit.jsonl'));

describe('a fault point kills its own process group at exactly that moment', () => {
  test('without HYPOTEST_FAULT nothing happens', () => {
    const run = runChild('');
    expect(run.stdout).toContain('finished');
    expect(records()).toEqual(['seed-1.json', 'seed-2.json', 'seed-3.json']);
  });

  test('record-write-before@2: one record and two audit entries, nothing of the second record', () => {
    const run = runChild('record-write-before@2');
    expect(run.signal ?? run.status).not.toBe(0);
    expect(run.stdout).not.toContain('finished');
    expect(run.stderr).toContain('HYPOTEST_FAULT: killing process group at record-write-before');
    expect(records()).toEqual(['seed-1.json']);
    expect(audit().entries.map((e) => e.seed)).toEqual([1, 2]);
  });

  test('record-write-during: half a temporary file, never a partial record under the record name', () => {
    runChild('record-write-during');
    const files = records();
    expect(files.filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^seed-1\.json\.\d+\.\d+\.tmp$/);
    expect(() => JSON.parse(readFileSync(join(root, 'results', 'unit', 'c', files[0]), 'utf8'))).toThrow();
  });

  test('record-write-after: the record is complete and in place', () => {
    runChild('record-write-after');
    expect(records()).toEqual(['seed-1.json']);
    expect(JSON.parse(readFileSync(join(root, 'results', 'unit', 'c', 'seed-1.json'), 'utf8')).key).toBe('k1');
  });

  test('audit-append-during@3: two complete entries and a torn third, reported with its line', () => {
    runChild('audit-append-during@3');
    const log = audit();
    expect(log.entries.map((e) => e.seed)).toEqual([1, 2]);
    expect(log.problems).toEqual([expect.objectContaining({ line: 3, kind: 'torn' })]);
    expect(records()).toEqual(['seed-1.json', 'seed-2.json']);
  });

  test('with a counter folder the n-th arrival is counted across processes', () => {
    const counter = join(root, 'counter');
    expect(runChild('record-write-after@5', counter).stdout).toContain('finished'); // arrivals 1-3
    rmSync(join(root, 'results'), { recursive: true });
    expect(runChild('record-write-after@5', counter).stdout).not.toContain('finished'); // arrivals 4, 5: killed
    expect(records()).toEqual(['seed-1.json', 'seed-2.json']);
  });

  test('random:<seed> kills at a seeded arrival: the same seed, the same state', () => {
    const states = [0, 1].map(() => {
      rmSync(join(root, 'results'), { recursive: true, force: true });
      runChild('random:3:0.3');
      return { records: records().map((f) => f.replace(/\.\d+\.\d+\.tmp$/, '.tmp')), audit: audit().entries.length, problems: audit().problems.length };
    });
    expect(states[0]).toEqual(states[1]);
    expect(states[0].records.length + states[0].audit).toBeLessThan(6); // it did kill
  });
});
