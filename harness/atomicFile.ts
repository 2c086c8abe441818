import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
