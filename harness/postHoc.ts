import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hypotestRoot, type Study } from './study.ts';

/** The post-hoc notes file beside study.ts: written after the results, never part of the pre-registration or its hash. */
export const POST_HOC_FILE = 'post-hoc.md';

/**
 * The study's post-hoc notes (`experiments/<study>/post-hoc.md`), trimmed, or null when there are none.
 *
 * @example
 * readPostHoc(study) // '- The test residual is larger than the pilot's ...'
 */
export function readPostHoc(study: Study, root = hypotestRoot()): string | null {
  const path = join(study.directory(root), POST_HOC_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}
