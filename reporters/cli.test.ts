import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freshProject } from '../fixtures/projects/run.ts';
import { cli } from './cli.ts';

const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

async function run(root: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await cli(args, root, (line) => { lines.push(line); });
  return { code, output: lines.join('\n') };
}

const text = (pdf: string) => execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\u00ad\n/g, '').replace(/[‘’]/g, "'").replace(/\s+/g, ' ');

describe('npx hypotest lock also writes prereg.pdf', () => {
  test('the registration as a document: every hypothesis with its SESOI and reason, the lock hash, dated at the lock', async () => {
    const root = freshProject('toy', `reporter-cli-${process.pid}-${Date.now()}`);
    created.push(root);
    const { code, output } = await run(root, 'lock', 'toy');
    expect(code, output).toBe(0);
    expect(output).toContain('wrote experiments/toy/prereg.pdf');
    const pdf = join(root, 'experiments', 'toy', 'prereg.pdf');
    const lock = JSON.parse(readFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), 'utf8'));
    const body = text(pdf);
    expect(body).toContain(lock.hash);
    for (const id of ['H1', 'H2', 'H3', 'H4']) expect(body).toMatch(new RegExp(`${id} \\((confirmatory|exploratory)\\)`));
    expect(body).toContain('Why this SESOI:');
    const date = /CreationDate:\s+(.*)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1];
    expect(new Date(date).getTime()).toBe(Math.floor(Date.parse(lock.lockedAt) / 1000) * 1000);

    // Rendered again from the lock, the document is the same bytes.
    const before = readFileSync(pdf);
    const again = await run(root, 'prereg', 'toy');
    expect(again.code, again.output).toBe(0);
    expect(readFileSync(pdf).equals(before)).toBe(true);
  }, 120_000);

  test('prereg of a study that is not locked is a named error', async () => {
    const root = freshProject('toy', `reporter-cli-unlocked-${process.pid}-${Date.now()}`);
    created.push(root);
    const { code, output } = await run(root, 'prereg', 'toy');
    expect(code).toBe(1);
    expect(output).toMatch(/^\w+Error: /);
    expect(existsSync(join(root, 'experiments', 'toy', 'prereg.pdf'))).toBe(false);
  });
});
