/**
 * `npx hypotest report <study> [--quick]`: the documents built again from the stored verdicts and records (final runs
 * and search trials read from results/), without running anything; a registered report only while the lock holds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { armsFixture } from '../fixtures/armsReport/armsFixture.ts';
import { cli } from './cli.ts';

async function run(root: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await cli(args, root, (line) => { lines.push(line); });
  return { code, output: lines.join('\n') };
}

function put(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

describe('npx hypotest report', () => {
  test('builds an arms study\'s NeurIPS-style paper from reports/<study>/quick/verdicts.json and the stored runs and search trials', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hypotest-report-'));
    const { file, runs, narrative } = armsFixture({ testExamples: 500, trials: 4 });
    const name = file.study.name;
    const quick = { ...file, profile: 'quick' as const, label: 'quick profile, validation only, not a registered result' };
    put(join(root, 'reports', name, 'quick', 'verdicts.json'), JSON.stringify(quick));
    put(join(root, 'experiments', name, 'narrative.md'), narrative);
    for (const record of runs) {
      const where = record.search?.kind === 'trial' ? join('search', `trial-${record.search.trial}.json`) : `seed-${record.seed}.json`;
      put(join(root, 'results', '.quick', name, record.cell, where), JSON.stringify({ ...record, checksum: undefined }));
    }
    const { code, output } = await run(root, 'report', name, '--quick');
    expect(code, output).toBe(0);
    expect(output).toContain(`wrote the documents of '${name}' to reports/${name}/quick`);
    const dir = join(root, 'reports', name, 'quick');
    for (const out of ['paper.pdf', 'slides.pdf', 'slides-script.md', 'runs.csv', 'verdicts.csv', 'figures/search-trials.svg', 'figures/arm-metrics.svg']) expect(existsSync(join(dir, out)), out).toBe(true);
    const text = execFileSync('pdftotext', [join(dir, 'paper.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Abstract');
    expect(text).toContain('References');
    expect(text).toContain('The seeded random search');
  }, 180_000);

  test('a registered report needs its study and lock; missing verdicts are a named error; nothing is written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hypotest-report-lock-'));
    const missing = await run(root, 'report', 'nothing');
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/^StudyDefinitionError: hypotest report: reports\/nothing\/verdicts.json does not exist/);
    const { file } = armsFixture({ testExamples: 200, trials: 2 });
    put(join(root, 'reports', file.study.name, 'verdicts.json'), JSON.stringify(file));
    const unlocked = await run(root, 'report', file.study.name);
    expect(unlocked.code).toBe(1);
    expect(unlocked.output).toMatch(/^\w+Error: /);
    expect(existsSync(join(root, 'reports', file.study.name, 'paper.pdf'))).toBe(false);
  }, 120_000);
});
