/**
 * `hypotest verify` on a locked study's store (harness/verifyStore.ts): the committed ablation (records and audit log
 * written before checksums existed) verifies and says what was checked; a record of another lock, a sealed split with
 * no audit entry, a changed audit entry and a result committed before the lock each fail it with a named problem.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { freshProject, GIT_ISOLATION } from '../fixtures/projects/run.ts';
import { loadStudy, main } from './cli.ts';
import { readLock } from './lock.ts';
import { findStoredRun } from './recordLookup.ts';
import { appendAudit, auditPath, writeRecord, type RunRecord } from './store.ts';
import { verifyStore } from './verifyStore.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

describe('the committed ablation', () => {
  test('verifies: 54 records and 54 audit entries from before checksums, every sealed split logged, the lock committed before the results', async () => {
    const lines: string[] = [];
    const code = await main(['verify', 'ablation'], REPO, (line) => { lines.push(line); });
    const output = lines.join('\n');
    expect(code, output).toBe(0);
    expect(output).toContain('checked records: 54 records in results/ablation/ read; 0 matched their checksums, 54 written before checksums existed (checked by key)');
    expect(output).toContain('54 of 54 registered runs have the record a rerun reuses');
    expect(output).toContain('checked audit log results/ablation/audit.jsonl: 54 entries read (0 matched their checksums, 54 written before checksums existed), 0 damaged lines; 54 of 54 sealed splits in the records logged with their model fingerprints; 0 splits of a run opened more than once.');
    // In a clone: the lock's own commit before the registered run's; outside git (an archive) the order is unverifiable.
    expect(output).toMatch(/checked git history: (lock committed in 8bd4fbf\w*, before the first committed result \(514c314\w*\)|order unverifiable)/);
    expect(output).toContain("'ablation': the store verifies.");
  }, 120_000);
});

/** A locked copy of the toy project, outside git unless `git` is given. */
async function lockedToy(name: string) {
  Object.assign(process.env, GIT_ISOLATION);
  const root = freshProject('toy', `${name}-${process.pid}`);
  created.push(root);
  expect(await main(['lock', 'toy'], root, () => {})).toBe(0);
  const study = await loadStudy(root, 'toy');
  return { root, study, lock: readLock(study.directory(root))! };
}

function storeRecord(root: string, study: Awaited<ReturnType<typeof loadStudy>>, lockHash: string, overrides: Partial<RunRecord> = {}): void {
  const { key, path } = findStoredRun(root, { study, cell: 'a0-b0', seed: 1, profile: 'registered', lockHash });
  writeRecord(path, {
    schemaVersion: 2, key, study: 'toy', cell: 'a0-b0', seed: 1, profile: 'registered', lockHash, config: {}, budget: { epochs: 2 }, status: 'ok',
    metrics: { validation: { accuracy: 70, nll: 0.6 }, test: { accuracy: 70, nll: 0.6 } }, predictions: {}, numClasses: 2, modelFingerprint: 'm1', curve: [],
    timings: { startedAt: 't', finishedAt: 't', trainSeconds: 0, evaluateSeconds: 0 },
    environment: { node: 'v', platform: 'p', cpu: 'c', cores: 1, backend: 'toy', harnessVersion: 'h', gitCommit: null, gitDirty: null },
    ...overrides,
  });
}

describe('problems in a store', () => {
  test('a sealed split without its audit entry, a record of another lock, and a changed audit entry are named with their fix', async () => {
    const { root, study, lock } = await lockedToy('verify-store');
    storeRecord(root, study, lock.hash);
    let check = verifyStore(root, study, lock);
    expect(check.problems).toEqual([expect.stringContaining('a0-b0 seed 1: its record reports the test split, but results/toy/audit.jsonl has no opening of it with the record\'s model fingerprint m1')]);

    appendAudit(root, { study: 'toy', cell: 'a0-b0', seed: 1, split: 'test', time: 't', lockHash: lock.hash, modelFingerprint: 'm1', examples: 2000 });
    check = verifyStore(root, study, lock);
    expect(check.problems).toEqual([]);
    expect(check.checked[0]).toContain('1 record in results/toy/ read; 1 matched their checksums');
    expect(check.checked[1]).toContain('1 of 1 sealed splits in the records logged with their model fingerprints');
    expect(check.checked[2]).toBe('git history: order unverifiable (the study is not in a git work tree).');
    expect(check.notes).toEqual(['11 registered runs have no record yet; the hypotheses stay incomplete until the cells run.']);

    writeFileSync(auditPath(root, 'toy'), (await import('node:fs')).readFileSync(auditPath(root, 'toy'), 'utf8').replace('"examples":2000', '"examples":2001'));
    check = verifyStore(root, study, lock);
    expect(check.problems).toEqual([
      'results/toy/audit.jsonl:1: an entry that does not match its checksum (changed after it was written). Fix: restore results/toy/audit.jsonl from git; an audit log is never edited.',
      expect.stringContaining('a0-b0 seed 1: its record reports the test split'),
    ]);

    rmSync(join(root, 'results'), { recursive: true });
    storeRecord(root, study, 'e'.repeat(64));
    check = verifyStore(root, study, lock);
    expect(check.problems[0]).toContain(`results/toy/a0-b0/seed-1.json was made under lock eeeeeeeeeeee, not this lock ${lock.hash.slice(0, 12)}`);
  });

  test('git history: a result committed before the lock fails; the lock committed first passes', async () => {
    const git = (root: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, stdio: 'pipe' }).toString();
    for (const lockFirst of [true, false]) {
      const root = freshProject('toy', `verify-git-${lockFirst}-${process.pid}`);
      created.push(root);
      Object.assign(process.env, GIT_ISOLATION);
      git(root, 'init', '-q');
      git(root, 'add', '-A');
      git(root, 'commit', '-qm', 'study');
      const result = () => {
        mkdirSync(join(root, 'results', 'toy'), { recursive: true });
        writeFileSync(join(root, 'results', 'toy', 'notes.txt'), 'a result\n');
        git(root, 'add', 'results');
        git(root, 'commit', '-qm', 'result');
      };
      if (!lockFirst) result();
      expect(await main(['lock', 'toy'], root, () => {})).toBe(0);
      git(root, 'add', 'experiments/toy/prereg.lock.json');
      git(root, 'commit', '-qm', 'lock');
      if (lockFirst) result();
      const study = await loadStudy(root, 'toy');
      const check = verifyStore(root, study, readLock(study.directory(root))!);
      const lockCommit = git(root, 'log', '-1', '--format=%H', '--', 'experiments/toy/prereg.lock.json').trim();
      const resultCommit = git(root, 'log', '-1', '--format=%H', '--', 'results/toy').trim();
      if (lockFirst) {
        expect(check.problems).toEqual([]);
        expect(check.checked[2]).toBe(`git history: lock committed in ${lockCommit.slice(0, 10)}, before the first committed result (${resultCommit.slice(0, 10)}).`);
      } else {
        expect(check.problems).toEqual([expect.stringContaining(`git history: the first committed result (${resultCommit.slice(0, 10)}) is not after the lock's commit (${lockCommit.slice(0, 10)})`)]);
      }
    }
  }, 60_000);
});
