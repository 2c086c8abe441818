import { linkSync, mkdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The folder, beside a damaged file, that it is moved into: `corrupt/`. */
export const CORRUPT_DIR = 'corrupt';

/**
 * Moves a damaged file (a run record, a downloaded data file) aside into `corrupt/` beside it, never deleting or
 * overwriting anything: the new name carries the time (before `.json` for a record), and the file appears there by a
 * hard link that fails rather than replace another file.
 *
 * @returns the new path.
 * @example
 * moveAside('results/toy/a0-b0/seed-1.json') // 'results/toy/a0-b0/corrupt/seed-1.1764450000000.json'
 * moveAside('.cache/fashion-mnist/t10k-labels-idx1-ubyte.gz') // '.cache/fashion-mnist/corrupt/t10k-labels-idx1-ubyte.gz.1764450000000'
 */
export function moveAside(path: string): string {
  const dir = join(dirname(path), CORRUPT_DIR);
  mkdirSync(dir, { recursive: true });
  const name = basename(path);
  const json = name.endsWith('.json');
  const stem = join(dir, `${json ? name.slice(0, -'.json'.length) : name}.${Date.now()}`);
  for (let n = 0; ; n++) {
    const target = `${stem}${n === 0 ? '' : `-${n}`}${json ? '.json' : ''}`;
    try {
      linkSync(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    unlinkSync(path);
    return target;
  }
}
