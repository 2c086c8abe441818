import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** sha256 hex digest of bytes or a string. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted at every level, so equal values always serialise to equal strings;
 * `undefined` members are dropped as JSON does.
 *
 * @example
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    // A null prototype keeps a member named "__proto__" as data instead of setting the prototype (and vanishing).
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(v as Record<string, unknown>).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

const gitCache = new Map<string, { commit: string | null; dirty: boolean | null }>();

/**
 * Environment variables that point git at another repository, index or object store than the one the project's
 * folder is in. hypotest never lets them through: with `GIT_DIR=/tmp/fake.git` a lock "committed" in a throw-away
 * repository would pass the lock-order check while the project's own history shows nothing.
 */
export const GIT_REDIRECTING_VARIABLES: readonly string[] = Object.freeze([
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE',
]);

/**
 * The environment every git command of hypotest runs with: this process's, without {@link GIT_REDIRECTING_VARIABLES},
 * so git always reads the repository that holds the folder it runs in.
 *
 * @example
 * spawnSync('git', ['rev-parse', 'HEAD'], { cwd, env: gitEnvironment() })
 */
export function gitEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of GIT_REDIRECTING_VARIABLES) delete env[name];
  return env;
}

/**
 * Runs one git command in `cwd`, the one way hypotest asks git anything: with {@link gitEnvironment}, stderr
 * discarded, stdout kept as bytes (up to 64 MiB). `missing` when git itself is not installed.
 *
 * @example
 * const head = runGit(root, ['rev-parse', 'HEAD']); if (head.ok) console.log(head.stdout.toString().trim());
 */
export function runGit(cwd: string, args: readonly string[]): { ok: true; stdout: Buffer } | { ok: false; missing: boolean } {
  const result = spawnSync('git', args, { cwd, env: gitEnvironment(), stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) return { ok: false, missing: (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' };
  return { ok: true, stdout: result.stdout };
}

/** The current git commit and whether the work tree has uncommitted changes (null outside git). */
export function gitState(cwd = process.cwd()): { commit: string | null; dirty: boolean | null } {
  const cached = gitCache.get(cwd);
  if (cached) return cached;
  let state: { commit: string | null; dirty: boolean | null };
  const commit = runGit(cwd, ['rev-parse', 'HEAD']);
  const status = commit.ok ? runGit(cwd, ['status', '--porcelain', '--untracked-files=no']) : commit;
  state = commit.ok && status.ok ? { commit: commit.stdout.toString().trim(), dirty: status.stdout.toString().trim().length > 0 } : { commit: null, dirty: null };
  gitCache.set(cwd, state);
  return state;
}

/** Node, platform and CPU, for provenance in run records. */
export function machineDescription(): { node: string; platform: string; cpu: string; cores: number } {
  const cpus = os.cpus();
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
}

/** The harness version (package.json version), recorded for provenance only. */
export const HARNESS_VERSION = '0.1.0';
