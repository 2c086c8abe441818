/**
 * Damaged records (harness/integrity.ts): a corrupt record is moved aside, never deleted or overwritten; a quick or pilot
 * run then trains again, a registered run stops and names the explicit, recorded rerun (`hypotest rerun`), and keeps
 * stopping until the record is restored or the rerun recorded. In process, on a copy of the toy project (records written
 * by hand with the keys the harness computes); the end-to-end version is fixtures/projects/integrity.e2e.test.ts.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { freshProject, GIT_ISOLATION } from '../fixtures/projects/run.ts';
import { makeTempDir, writeFashionMnistFixture } from '../fixtures/data/generate.ts';
import { errorOf, rejection } from '../fixtures/testing.ts';
import { loadFashionMnistArrays } from './data/fashionMnist.ts';
import { loadStudy, main } from './cli.ts';
import { CorruptRecordError, DatasetError, RunRecordError, ShardMergeError } from './errors.ts';
import { mergeShards } from './mergeShards.ts';
import { findRunToTrain, readReruns, recordRerun, rerunLogPath } from './integrity.ts';
import { findStoredRun } from './recordLookup.ts';
import { appendAudit, auditPath, readAudit, readAuditLog, writeRecord, type AuditEntry, type RunRecord } from './store.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';

Object.assign(process.env, GIT_ISOLATION);

let root: string;
let study: Study;
const LOCK = 'f'.repeat(64);
beforeAll(async () => {
  root = freshProject('toy', `integrity-unit-${process.pid}`);
  study = await loadStudy(root, 'toy');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Stores a well-formed record of (cell, seed) with the key the harness computes, and returns its path. */
function store(cell: string, seed: number, profile: Profile): string {
  const lockHash = profile === 'registered' ? LOCK : null;
  const { key, path } = findStoredRun(root, { study, cell, seed, profile, lockHash });
  const record: RunRecord = {
    schemaVersion: 2, key, study: 'toy', cell, seed, profile, lockHash, config: {}, budget: { epochs: 1 }, status: 'ok',
    metrics: { validation: { accuracy: 70, nll: 0.6 } }, predictions: {}, numClasses: 2, modelFingerprint: 'm', curve: [],
    timings: { startedAt: 't', finishedAt: 't', trainSeconds: 0, evaluateSeconds: 0 },
    environment: { node: 'v', platform: 'p', cpu: 'c', cores: 1, backend: 'toy', harnessVersion: 'h', gitCommit: null, gitDirty: null },
  };
  writeRecord(path, record);
  return path;
}
/** Changes one value of a stored record, leaving valid JSON: only the checksum shows it. */
function tamper(path: string): string {
  const text = readFileSync(path, 'utf8').replace('"accuracy":70', '"accuracy":79');
  writeFileSync(path, text);
  return text;
}

describe('a corrupt record', () => {
  test('quick profile: moved aside to corrupt/ (bytes kept), reported, and the run is trained again', () => {
    const path = store('a0-b0', 1, 'quick');
    const damaged = tamper(path);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const found = findRunToTrain(root, { study, cell: 'a0-b0', seed: 1, profile: 'quick', lockHash: null });
    const said = stderr.mock.calls.map((call) => String(call[0])).join('');
    stderr.mockRestore();
    expect(found.record).toBeNull();
    expect(existsSync(path)).toBe(false);
    expect(found.movedAside).toMatch(/results\/\.quick\/toy\/a0-b0\/corrupt\/seed-1\.\d+\.json$/);
    expect(readFileSync(found.movedAside!, 'utf8')).toBe(damaged);
    expect(said).toContain('does not match its checksum');
    expect(said).toContain('this quick-profile run is trained again');
  });

  test('registered: moved aside, then the run stops with a CorruptRecordError naming the restore and the recorded rerun, and keeps stopping', () => {
    const path = store('a0-b1', 2, 'registered');
    const damaged = tamper(path);
    const run = { study, cell: 'a0-b1', seed: 2, profile: 'registered' as const, lockHash: LOCK };
    const error = errorOf(() => findRunToTrain(root, run));
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect(error.message).toContain('does not match its checksum');
    expect(error.message).toContain('A registered run is never recomputed silently');
    expect(error.message).toContain('git checkout -- results/toy/a0-b1/seed-2.json');
    expect(error.message).toContain('npx hypotest rerun toy --cell a0-b1 --seed 2 --why "..."');
    const aside = readdirSync(join(root, 'results', 'toy', 'a0-b1', 'corrupt'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(root, 'results', 'toy', 'a0-b1', 'corrupt', aside[0]), 'utf8')).toBe(damaged);
    // The record is gone from its place, but the run still stops: training it would reopen the sealed splits.
    const again = errorOf(() => findRunToTrain(root, run));
    expect(again).toBeInstanceOf(CorruptRecordError);
    expect(again.message).toContain('was moved aside as corrupt');
    expect(again.message).toContain('npx hypotest rerun toy --cell a0-b1 --seed 2');
  });

  test('registered: a restored record is reused; a recorded rerun lets the run train, and the log names what it replaces', () => {
    const path = store('a1-b0', 3, 'registered');
    const good = readFileSync(path, 'utf8');
    tamper(path);
    const run = { study, cell: 'a1-b0', seed: 3, profile: 'registered' as const, lockHash: LOCK };
    expect(errorOf(() => findRunToTrain(root, run))).toBeInstanceOf(CorruptRecordError);
    writeFileSync(path, good); // restored (from git or a backup)
    expect(findRunToTrain(root, run).record?.seed).toBe(3);

    tamper(path);
    expect(errorOf(() => findRunToTrain(root, run))).toBeInstanceOf(CorruptRecordError);
    const { entry, movedAside } = recordRerun(root, study, 'a1-b0', 3, 'the record was damaged on disk; no backup');
    expect(movedAside).toBeNull(); // already moved aside by the run that stopped
    expect(entry.replaces).toEqual([expect.stringMatching(/^a1-b0\/corrupt\/seed-3\.\d+-?\d*\.json$/), expect.stringMatching(/^a1-b0\/corrupt\/seed-3\./)]);
    expect(readReruns(root, 'toy')).toEqual([entry]);
    const found = findRunToTrain(root, run);
    expect(found.record).toBeNull();
    expect(found.movedAside).toBeNull();
  });

  test('hypotest rerun moves a record that is still in place aside (a valid one to archive/) and refuses unknown runs and an empty reason', async () => {
    const path = store('a1-b1', 1, 'registered');
    const lines: string[] = [];
    const code = await main(['rerun', 'toy', '--cell', 'a1-b1', '--seed', '1', '--why', 'rerun on purpose to check the backend'], root, (line) => { lines.push(line); });
    expect(code, lines.join('\n')).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(root, 'results', 'toy', 'a1-b1', 'archive'))).toEqual([expect.stringMatching(/^seed-1\.rerun\.\d+\.json$/)]);
    expect(lines.join('\n')).toContain('recorded the rerun of toy a1-b1 seed 1 in results/toy/reruns.jsonl');
    expect(readFileSync(rerunLogPath(root, 'toy'), 'utf8')).toContain('rerun on purpose to check the backend');
    expect(errorOf(() => recordRerun(root, study, 'a9-b9', 1, 'x'))).toBeInstanceOf(RunRecordError);
    expect(errorOf(() => recordRerun(root, study, 'a1-b1', 99, 'x')).message).toContain('is not a registered run');
    expect(errorOf(() => recordRerun(root, study, 'a1-b1', 1, '  ')).message).toContain('--why is empty');
    expect(await main(['rerun', 'toy', '--cell', 'a1-b1'], root, () => {})).toBe(2);
  });

  test('a damaged line of the rerun log is not a rerun', () => {
    const before = readReruns(root, 'toy').length;
    writeFileSync(rerunLogPath(root, 'toy'), readFileSync(rerunLogPath(root, 'toy'), 'utf8').replace('no backup', 'a backup'));
    expect(readReruns(root, 'toy').length).toBe(before - 1);
  });
});

describe('a damaged data file', () => {
  test("in hypotest's download cache: detected by its sha256, reported with the fix, moved aside to corrupt/ (bytes kept) so the next run downloads it again", async () => {
    const tmp = makeTempDir('integrity-data');
    try {
      const cache = join(tmp.dir, 'cache');
      mkdirSync(cache);
      const fixture = writeFashionMnistFixture(cache, { trainCount: 40, testCount: 10, gzip: false, seed: 5, rows: 4, cols: 4 });
      const path = join(cache, 't10k-labels-idx1-ubyte');
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] ^= 1; // one flipped bit in a label
      writeFileSync(path, bytes);
      const error = await rejection(loadFashionMnistArrays({ env: {}, searchDirs: [], cacheDir: cache, download: false, expectedSha256: fixture.sha256 }));
      expect(error).toBeInstanceOf(DatasetError);
      expect(error.message).toContain(`checksum mismatch for ${path}`);
      expect(error.message).toContain('Run again: the damaged file was moved aside and the package is downloaded again');
      expect(error.message).toMatch(/It was moved to .*\/cache\/corrupt\/t10k-labels-idx1-ubyte\.\d+ \(kept, never deleted\)\./);
      expect(existsSync(path)).toBe(false);
      const [aside] = readdirSync(join(cache, 'corrupt'));
      expect(readFileSync(join(cache, 'corrupt', aside)).equals(bytes)).toBe(true);
      // The next load finds the cache incomplete (and would download it; here downloads are off): named, not a crash.
      const next = await rejection(loadFashionMnistArrays({ env: {}, searchDirs: [], cacheDir: cache, download: false, expectedSha256: fixture.sha256 }));
      expect(next.message).toContain('cannot find the Fashion-MNIST IDX files');
    } finally {
      tmp.remove();
    }
  });

  test('in a folder of the system or FASHION_MNIST_DIR: reported with the fix and left where it is (the files are not hypotest\'s)', async () => {
    const tmp = makeTempDir('integrity-data');
    try {
      const fixture = writeFashionMnistFixture(tmp.dir, { trainCount: 40, testCount: 10, gzip: false, seed: 6, rows: 4, cols: 4 });
      const path = join(tmp.dir, 'train-labels-idx1-ubyte');
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] ^= 1;
      writeFileSync(path, bytes);
      const error = await rejection(loadFashionMnistArrays({ env: {}, searchDirs: [tmp.dir], cacheDir: join(tmp.dir, 'none'), download: false, expectedSha256: fixture.sha256 }));
      expect(error.message).toContain('apt-get install --reinstall dataset-fashion-mnist');
      expect(error.message).not.toContain('moved to');
      expect(readFileSync(path).equals(bytes)).toBe(true);
    } finally {
      tmp.remove();
    }
  });
});

describe('hypotest merge and a shard that crashed mid-append', () => {
  test('a torn last entry is refused with its file and line; once the resumed shard marked it, the shard merges and the torn bytes stay behind', async () => {
    const target = freshProject('toy', `integrity-merge-${process.pid}`);
    const shard = freshProject('toy', `integrity-merge-shard-${process.pid}`);
    try {
      expect(await main(['lock', 'toy'], target, () => {})).toBe(0);
      const lock = JSON.parse(readFileSync(join(target, 'experiments', 'toy', 'prereg.lock.json'), 'utf8'));
      const entry = (seed: number, split: 'test' | 'shift'): AuditEntry => ({ study: 'toy', cell: 'a0-b0', seed, split, time: `2026-01-01T00:00:0${seed}.000Z`, lockHash: lock.hash, modelFingerprint: `m${seed}`, examples: 2000 });
      appendAudit(shard, entry(1, 'test'));
      appendFileSync(auditPath(shard, 'toy'), '{"study":"toy","cell":"a0-b0","seed":2,"spl'); // died mid-append
      const targetStudy = await loadStudy(target, 'toy');
      const refused = errorOf(() => mergeShards({ root: target, study: targetStudy, shards: [shard], profile: 'registered' }));
      expect(refused).toBeInstanceOf(ShardMergeError);
      expect(refused.message).toContain(`${auditPath(shard, 'toy')}:2: a torn last entry`);
      expect(existsSync(auditPath(target, 'toy'))).toBe(false);

      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      appendAudit(shard, entry(2, 'test')); // the resumed shard's next opening marks the torn line
      stderr.mockRestore();
      const report = mergeShards({ root: target, study: targetStudy, shards: [shard], profile: 'registered' });
      expect(report.auditAdded).toBe(2);
      expect(readAudit(target, 'toy').map((e) => e.seed)).toEqual([1, 2]);
      expect(readAuditLog(auditPath(target, 'toy')).problems).toEqual([]);
    } finally {
      rmSync(target, { recursive: true, force: true });
      rmSync(shard, { recursive: true, force: true });
    }
  });
});
