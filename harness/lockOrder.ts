import { UncommittedLockError } from './errors.ts';
import { runGit } from './util.ts';

const LOCK_FILE = 'prereg.lock.json';

/**
 * Whether git shows that the lock came before a registered run opened the sealed splits: `verified` (the lock file is
 * committed, in `commit`, and unmodified) or `unverifiable` (the study is not in a git work tree, or git is missing),
 * stored in every run record and stated in the reports.
 */
export type LockOrder = { state: 'verified'; commit: string } | { state: 'unverifiable'; reason: string };

function git(cwd: string, args: string[]): { ok: boolean; out: string; missing?: boolean } {
  const result = runGit(cwd, args);
  return result.ok ? { ok: true, out: result.stdout.toString().trim() } : { ok: false, out: '', missing: result.missing };
}

/**
 * Checks, before a registered run opens a sealed split, that the study's `prereg.lock.json` is committed and unmodified
 * (git: tracked, present in HEAD, no staged or unstaged change). Outside a git work tree the order cannot be shown: the
 * run goes ahead and the record and reports say "order unverifiable". Called through `assertLockHolds(..., { openSealed: true })`.
 *
 * @throws {UncommittedLockError} when the lock file is untracked, only staged, or differs from HEAD.
 * @example
 * lockOrder('experiments/ablation', 'ablation') // { state: 'verified', commit: '8bd4fbf…' }
 */
export function lockOrder(studyDir: string, study: string): LockOrder {
  const inside = git(studyDir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.missing) return { state: 'unverifiable', reason: 'git is not installed' };
  if (!inside.ok || inside.out !== 'true') return { state: 'unverifiable', reason: 'the study is not in a git work tree' };
  const fix = `Fix: commit the lock on its own before any registered run (git add ${LOCK_FILE} && git commit -m "Lock ${study}" in the study folder); a lock is never edited after its commit (changes are deviations: \`npx hypotest deviate ${study} ...\`).`;
  if (!git(studyDir, ['ls-files', '--error-unmatch', '--', LOCK_FILE]).ok || !git(studyDir, ['cat-file', '-e', `HEAD:./${LOCK_FILE}`]).ok) {
    throw new UncommittedLockError(`study '${study}': ${LOCK_FILE} is not committed, so nothing shows that the lock came before the sealed splits were opened. ${fix}`);
  }
  if (!git(studyDir, ['diff', '--quiet', 'HEAD', '--', LOCK_FILE]).ok) {
    throw new UncommittedLockError(`study '${study}': ${LOCK_FILE} differs from its committed version (staged or unstaged changes), so the lock the run would use is not the committed one. Fix: restore it (git checkout HEAD -- ${LOCK_FILE}). ${fix}`);
  }
  const commit = git(studyDir, ['log', '-1', '--format=%H', '--', LOCK_FILE]).out;
  return { state: 'verified', commit };
}
