import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MissingCellFileError, UncommittedLockError, UnknownStudyError } from './errors.ts';
import { assertLockHolds, LOCK_FILE, readLockStatus, writeLock } from './lock.ts';
import { lockOrder } from './lockOrder.ts';
import { errorOf } from '../fixtures/testing.ts';

let root: string;
let studyDir: string;
// Temporary folders live outside any repository; the ceiling keeps git from finding one above them all the same.
const env = { ...process.env, GIT_CEILING_DIRECTORIES: os.tmpdir(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

beforeEach(() => {
  root = mkdtempSync(join(os.tmpdir(), 'hypotest-order-'));
  studyDir = join(root, 'experiments', 'demo');
  mkdirSync(join(studyDir, 'cells'), { recursive: true });
  writeFileSync(join(studyDir, 'study.ts'), 'export default {};\n');
  writeFileSync(join(studyDir, 'hypotheses.exp.ts'), '// hypotheses\n');
  writeFileSync(join(studyDir, 'cells', 'a.exp.ts'), '// cell a\n');
  writeFileSync(join(studyDir, 'cells', 'b.exp.ts'), '// cell b\n');
  process.env.GIT_CEILING_DIRECTORIES = os.tmpdir();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  delete process.env.GIT_CEILING_DIRECTORIES;
});

describe('lockOrder: sealed splits open only after the lock is committed', () => {
  test('outside git: unverifiable (the run goes ahead and says so)', () => {
    writeLock(studyDir, 'demo', { id: 'x', fingerprint: 'f' });
    expect(lockOrder(studyDir, 'demo')).toEqual({ state: 'unverifiable', reason: 'the study is not in a git work tree' });
    expect(assertLockHolds(studyDir, 'demo', { openSealed: true }).order).toEqual({ state: 'unverifiable', reason: 'the study is not in a git work tree' });
  });

  test('untracked, then staged only: UncommittedLockError; committed: verified with the commit; edited after: refused again', () => {
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'pre-registration');
    writeLock(studyDir, 'demo', { id: 'x', fingerprint: 'f' });
    const untracked = errorOf(() => lockOrder(studyDir, 'demo'));
    expect(untracked).toBeInstanceOf(UncommittedLockError);
    expect(untracked.message).toContain(`study 'demo': ${LOCK_FILE} is not committed`);
    expect(untracked.message).toContain('Fix: commit the lock on its own');
    expect(() => assertLockHolds(studyDir, 'demo', { openSealed: true })).toThrow(UncommittedLockError);
    // Without openSealed (judging stored runs, reusing records) git is not consulted.
    expect(assertLockHolds(studyDir, 'demo').order).toBeUndefined();

    git('add', join('experiments', 'demo', LOCK_FILE));
    expect(() => lockOrder(studyDir, 'demo')).toThrow(UncommittedLockError);
    git('commit', '-q', '-m', 'Lock demo');
    const commit = git('rev-parse', 'HEAD');
    expect(lockOrder(studyDir, 'demo')).toEqual({ state: 'verified', commit });
    // Later commits of other files keep the lock's own commit.
    writeFileSync(join(root, 'notes.md'), 'n\n');
    git('add', 'notes.md');
    git('commit', '-q', '-m', 'notes');
    expect(lockOrder(studyDir, 'demo')).toEqual({ state: 'verified', commit });

    appendFileSync(join(studyDir, LOCK_FILE), ' ');
    const modified = errorOf(() => lockOrder(studyDir, 'demo'));
    expect(modified).toBeInstanceOf(UncommittedLockError);
    expect(modified.message).toContain('differs from its committed version');
  });
});

describe('the strict lock check: unknown studies and cells without files', () => {
  test('an unknown study is an UnknownStudyError listing the studies, never "not locked"', () => {
    mkdirSync(join(root, 'experiments', 'other'));
    writeFileSync(join(root, 'experiments', 'other', 'study.ts'), '\n');
    const error = errorOf(() => readLockStatus(join(root, 'experiments', 'nosuch'), 'nosuch'));
    expect(error).toBeInstanceOf(UnknownStudyError);
    expect(error.message).toContain("no study 'nosuch'");
    expect(error.message).toContain('The studies here: demo, other.');
  });

  test('a declared cell without its file fails the check, even when its removal was recorded as a deviation', () => {
    writeLock(studyDir, 'demo', { id: 'x', fingerprint: 'f' });
    rmSync(join(studyDir, 'cells', 'b.exp.ts'));
    writeFileSync(join(studyDir, 'deviations.json'), JSON.stringify({ deviations: [{ file: 'cells/b.exp.ts', sha256: 'removed', what: 'w', why: 'y', when: 't' }] }));
    expect(readLockStatus(studyDir, 'demo').ok).toBe(true);
    const status = readLockStatus(studyDir, 'demo', { cells: ['a', 'b'] });
    expect(status).toMatchObject({ ok: false, missingCells: ['b'] });
    const error = errorOf(() => assertLockHolds(studyDir, 'demo', { cells: ['a', 'b'] }));
    expect(error).toBeInstanceOf(MissingCellFileError);
    expect(error.message).toContain("study 'demo' declares 'b' but demo/cells/ has no b.exp.ts");
  });
});

describe('lockOrder reads the project\'s own repository, whatever GIT_DIR says', () => {
  afterEach(() => {
    delete process.env.GIT_DIR;
    delete process.env.GIT_WORK_TREE;
  });

  test('a lock committed only in a throw-away repository (GIT_DIR, GIT_WORK_TREE) does not count as committed', () => {
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'pre-registration');
    writeLock(studyDir, 'demo', { id: 'x', fingerprint: 'f' });
    // The way round found by an adversary: commit the lock in a fake bare repository and point git at it.
    const fake = mkdtempSync(join(os.tmpdir(), 'hypotest-fake-git-'));
    try {
      const fakeEnv = { ...env, GIT_DIR: fake, GIT_WORK_TREE: root };
      execFileSync('git', ['init', '-q', '--bare', fake], { env });
      execFileSync('git', ['add', '.'], { cwd: root, env: fakeEnv });
      execFileSync('git', ['commit', '-q', '-m', 'fake lock commit'], { cwd: root, env: fakeEnv });
      process.env.GIT_DIR = fake;
      process.env.GIT_WORK_TREE = root;
      const error = errorOf(() => lockOrder(studyDir, 'demo'));
      expect(error).toBeInstanceOf(UncommittedLockError);
      expect(() => assertLockHolds(studyDir, 'demo', { openSealed: true })).toThrow(UncommittedLockError);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
