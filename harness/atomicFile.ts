import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { faultPoint, type FaultPoint } from './faults.ts';

/**
 * Writes a file atomically (temporary file, fsync, then rename), creating folders as needed: readers see the old file or
 * the whole new one, never a part. With `exclusive`, the file appears by a hard link instead and only where none exists,
 * so a concurrent writer is never clobbered (returns false when a file was there). `fault` names the fault point that
 * fires with half of the bytes in the temporary file (see harness/faults.ts).
 */
export function writeFileAtomic(path: string, contents: string, options: { exclusive?: boolean; fault?: FaultPoint } = {}): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  if (options.fault) faultPoint(options.fault, () => writeFileSync(temporary, contents.slice(0, contents.length >> 1)));
  writeFileSync(temporary, contents);
  const fd = openSync(temporary, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  if (!options.exclusive) {
    renameSync(temporary, path);
    return true;
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(temporary);
  }
  return true;
}
