import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync, existsSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';

/** sha256 hex digest of bytes or a string. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted recursively, so equal values always serialise to equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(ArrayBuffer.isView(value))) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * Writes a file atomically (temporary file, fsync, rename), creating folders as needed.
 * With `exclusive`, refuses to replace an existing file (returns false).
 */
export function writeFileAtomic(path: string, contents: string, options: { exclusive?: boolean } = {}): boolean {
  mkdirSync(dirname(path), { recursive: true });
  if (options.exclusive && existsSync(path)) return false;
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  const fd = openSync(temporary, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(temporary, path);
  return true;
}

let gitCache: { commit: string | null; dirty: boolean | null } | undefined;

/** The current git commit and whether the work tree has uncommitted changes (null outside git). */
export function gitState(cwd = process.cwd()): { commit: string | null; dirty: boolean | null } {
  if (gitCache) return gitCache;
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    gitCache = { commit, dirty: status.trim().length > 0 };
  } catch {
    gitCache = { commit: null, dirty: null };
  }
  return gitCache;
}

/** Node, platform and CPU, for provenance in run records. */
export function machineDescription(): { node: string; platform: string; cpu: string; cores: number } {
  const cpus = os.cpus();
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
}

/** The harness version (package.json version), recorded for provenance only. */
export const HARNESS_VERSION = '0.1.0';
