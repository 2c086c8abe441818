/**
 * Every locked study under experiments/ still matches its pre-registration (or records a deviation), and its store
 * verifies: `npx hypotest verify <study>` for each, as CI did before it ran only the README's two commands. Part of
 * `npm test`, so the README's commands check it too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const locked = readdirSync(join(REPO, 'experiments'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(REPO, 'experiments', entry.name, 'prereg.lock.json')))
  .map((entry) => entry.name)
  .sort();

describe('hypotest verify on every locked study', () => {
  test('the shipped ablation is among them (guards the folder scan)', () => {
    expect(locked).toContain('ablation');
  });

  test.each(locked)('%s matches its lock and its store verifies', (study) => {
    const result = spawnSync(process.execPath, [join(REPO, 'bin', 'hypotest.mjs'), 'verify', study], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toContain(`'${study}': the store verifies.`);
  });
});
