/**
 * The command line, in process: `main(args, root, out)` on copies of the toy project under
 * `.e2e-tmp/projects/` (same depth as fixtures/projects/toy, so its relative imports resolve).
 * The end-to-end tests in fixtures/projects/e2e.test.ts run the real binary; these check every
 * branch and message quickly.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freshProject, GIT_ISOLATION } from '../fixtures/projects/run.ts';
import { main } from './cli.ts';

// The fixture projects live in this repository's ignored .e2e-tmp: git must see them as outside git.
Object.assign(process.env, GIT_ISOLATION);
const UNVERIFIABLE = 'order unverifiable (the study is not in a git work tree): registered runs open the sealed splits and say so in their records and reports.';
/** What verify then says about the toy study's store before any run (harness/verifyStore.ts). */
const EMPTY_STORE = (hash: string) => [
  `checked records: 0 records in results/toy/ read; 0 matched their checksums, 0 written before checksums existed (checked by key); each checked against lock ${hash.slice(0, 12)}, its cell and its seed; 0 of 12 registered runs have the record a rerun reuses.`,
  'checked audit log results/toy/audit.jsonl: 0 entries read (0 matched their checksums, 0 written before checksums existed), 0 damaged lines; 0 of 0 sealed splits in the records logged with their model fingerprints; 0 splits of a run opened more than once.',
  'checked git history: order unverifiable (the study is not in a git work tree).',
  'note: 12 registered runs have no record yet; the hypotheses stay incomplete until the cells run.',
  "'toy': the store verifies.",
];

const created: string[] = [];
let counter = 0;
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the toy project with a name no other test (or worker) uses. */
function project(): string {
  const dir = freshProject('toy', `cli-unit-${process.pid}-${Date.now()}-${counter++}`);
  created.push(dir);
  return dir;
}

async function cli(root: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(args, root, (line) => {
    lines.push(line);
    return true;
  });
  return { code, output: lines.join('\n') };
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('usage', () => {
  test.each([
    [[], 2],
    [['lock'], 2],
    [['frobnicate', 'toy'], 2],
    [['help'], 0],
    [['--help'], 0],
  ])('%j prints the usage and exits %i', async (args, expected) => {
    const { code, output } = await cli('/nonexistent', ...(args as string[]));
    expect(code).toBe(expected);
    expect(output).toMatch(/^usage:\n {2}npx hypotest /);
    expect(output).toContain('npx hypotest lock <study> ');
    expect(output).toContain('npx hypotest verify <study>');
    expect(output).toContain('npx hypotest deviate <study> --file <path in the study folder> --what "..." --why "..."');
  });
});

describe('lock', () => {
  test('hashes the pre-registration files and the dataset fingerprint into prereg.lock.json', async () => {
    const root = project();
    const { code, output } = await cli(root, 'lock', 'toy');
    expect(code, output).toBe(0);
    const lock = JSON.parse(readFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), 'utf8'));
    // The study's modules, then the project file outside harness/ that they import (the toy's model and data).
    expect(Object.keys(lock.files)).toEqual(['study.ts', 'hypotheses.exp.ts', 'cells/a0-b0.exp.ts', 'cells/a0-b1.exp.ts', 'cells/a1-b0.exp.ts', 'cells/a1-b1.exp.ts', '../../toy.ts']);
    expect(lock.files['../../toy.ts']).toBe(sha(readFileSync(join(root, 'toy.ts'))));
    expect(lock.schemaVersion).toBe(2);
    expect(lock.harnessCommit === null || /^[0-9a-f]{40}$/.test(lock.harnessCommit)).toBe(true);
    expect(lock.files['study.ts']).toBe(sha(readFileSync(join(root, 'experiments', 'toy', 'study.ts'))));
    // The toy dataset's fingerprint is the sha256 of its parameters (fixtures/projects/toy/toy.ts).
    const fingerprint = sha(JSON.stringify({ train: 200, validation: 400, test: 2000, shift: 500 }));
    expect(lock.dataset).toEqual({ id: 'toy', fingerprint });
    const lines = output.split('\n');
    expect(lines[0]).toBe(`locked 'toy': 7 files, hash ${lock.hash.slice(0, 12)}, dataset ${fingerprint.slice(0, 12)}.`);
    expect(lines[1]).toBe('Commit the lock on its own now (git add experiments/toy/prereg.lock.json && git commit), before any registered run opens the sealed splits.');
  });

  test('refuses to relock, and says to record a deviation instead', async () => {
    const root = project();
    expect((await cli(root, 'lock', 'toy')).code).toBe(0);
    const before = readFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), 'utf8');
    const { code, output } = await cli(root, 'lock', 'toy');
    expect(code).toBe(1);
    expect(output).toBe(
      `AlreadyLockedError: study 'toy' is already locked (${join(root, 'experiments', 'toy', 'prereg.lock.json')}). Fix: record changes with \`npx hypotest deviate toy ...\` instead of relocking.`,
    );
    expect(readFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), 'utf8')).toBe(before);
  });

  test('an unknown study: exit 1 with the path and the fix', async () => {
    const root = project();
    const { code, output } = await cli(root, 'lock', 'nope');
    expect(code).toBe(1);
    expect(output).toBe(`UnknownStudyError: no study 'nope': ${join(root, 'experiments', 'nope', 'study.ts')} does not exist. The studies here: toy. Fix: name one of them, and run from the project root (or set HYPOTEST_ROOT).`);
  });

  test('verify names an unknown study as unknown (listing the studies) and a corrupt lock as corrupt, never as "not locked"', async () => {
    const root = project();
    const unknown = await cli(root, 'verify', 'nosuch');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain("UnknownStudyError: no study 'nosuch'");
    expect(unknown.output).toContain('The studies here: toy.');
    writeFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), '{ "schemaVersion": 2, ');
    const corrupt = await cli(root, 'verify', 'toy');
    expect(corrupt.code).toBe(1);
    expect(corrupt.output).toMatch(/^LockFileError: .*prereg\.lock\.json is not valid JSON/);
  });

  test('verify fails on a declared cell whose file is gone, even with its removal recorded as a deviation', async () => {
    const root = project();
    expect((await cli(root, 'lock', 'toy')).code).toBe(0);
    rmSync(join(root, 'experiments', 'toy', 'cells', 'a1-b1.exp.ts'));
    expect((await cli(root, 'deviate', 'toy', '--file', 'cells/a1-b1.exp.ts', '--what', 'dropped', '--why', 'test')).code).toBe(0);
    const { code, output } = await cli(root, 'verify', 'toy');
    expect(code).toBe(1);
    expect(output).toContain("CELL WITHOUT FILE: 'a1-b1' is declared in study.ts but cells/a1-b1.exp.ts does not exist");
  });

  test('a study whose declared name is not its folder', async () => {
    const root = project();
    cpSync(join(root, 'experiments', 'toy'), join(root, 'experiments', 'toy-copy'), { recursive: true });
    const { code, output } = await cli(root, 'lock', 'toy-copy');
    expect(code).toBe(1);
    expect(output).toBe(`StudyDefinitionError: ${join(root, 'experiments', 'toy-copy', 'study.ts')} declares name 'toy', but its folder is 'toy-copy'. Fix: make them the same.`);
    expect(existsSync(join(root, 'experiments', 'toy-copy', 'prereg.lock.json'))).toBe(false);
  });

  test('a study.ts without a defineStudy() default export', async () => {
    const root = project();
    writeFileSync(join(root, 'experiments', 'toy', 'study.ts'), 'export const study = 1;\n');
    const { code, output } = await cli(root, 'lock', 'toy');
    expect(code).toBe(1);
    expect(output).toBe(`StudyDefinitionError: ${join(root, 'experiments', 'toy', 'study.ts')} has no default export made by defineStudy(). Fix: export default defineStudy({ ... }).`);
  });

  test('an error that is not a hypotest error is not swallowed', async () => {
    const root = project();
    writeFileSync(join(root, 'experiments', 'toy', 'study.ts'), "throw new RangeError('broken study file');\n");
    await expect(cli(root, 'lock', 'toy')).rejects.toThrow('broken study file');
  });
});

describe('verify and deviate', () => {
  test('verify an unlocked study: exit 1 with how to lock', async () => {
    const root = project();
    const { code, output } = await cli(root, 'verify', 'toy');
    expect(code).toBe(1);
    expect(output).toMatch(/^UnlockedStudyError: study 'toy' is not locked/);
    expect(output).toContain('Fix: lock it with `npx hypotest lock toy`');
  });

  test('lock, verify, edit, verify fails, deviate, verify passes and shows the deviation', async () => {
    const root = project();
    expect((await cli(root, 'lock', 'toy')).code).toBe(0);
    const lock = JSON.parse(readFileSync(join(root, 'experiments', 'toy', 'prereg.lock.json'), 'utf8'));

    let run = await cli(root, 'verify', 'toy');
    expect(run).toEqual({ code: 0, output: [`'toy' matches its lock ${lock.hash.slice(0, 12)} (0 recorded deviations).`, UNVERIFIABLE, ...EMPTY_STORE(lock.hash)].join('\n') });

    const hypotheses = join(root, 'experiments', 'toy', 'hypotheses.exp.ts');
    appendFileSync(hypotheses, '\n// clarified after the lock\n');
    run = await cli(root, 'verify', 'toy');
    expect(run.code).toBe(1);
    expect(run.output.split('\n')).toEqual([
      'CHANGED WITHOUT DEVIATION: hypotheses.exp.ts (changed)',
      `'toy' does not match its lock. Fix: undo the change, or record it with \`npx hypotest deviate toy --file <file> --what "..." --why "..."\`.`,
    ]);

    run = await cli(root, 'deviate', 'toy', '--file', 'hypotheses.exp.ts', '--what', 'added a comment', '--why', 'clarity');
    const digest = sha(readFileSync(hypotheses));
    expect(run).toEqual({ code: 0, output: `recorded deviation for hypotheses.exp.ts (${digest.slice(0, 12)}) in experiments/toy/deviations.json. Commit it with the change.` });
    const { deviations } = JSON.parse(readFileSync(join(root, 'experiments', 'toy', 'deviations.json'), 'utf8'));
    expect(deviations).toEqual([{ file: 'hypotheses.exp.ts', sha256: digest, what: 'added a comment', why: 'clarity', when: expect.any(String) }]);

    run = await cli(root, 'verify', 'toy');
    expect(run.code).toBe(0);
    expect(run.output.split('\n')).toEqual([
      'deviation: hypotheses.exp.ts (changed) — added a comment',
      `'toy' matches its lock ${lock.hash.slice(0, 12)} (1 recorded deviation).`,
      UNVERIFIABLE,
      ...EMPTY_STORE(lock.hash),
    ]);
  });

  test.each([
    [['deviate', 'toy', '--file', 'study.ts', '--what', 'w']],
    [['deviate', 'toy', '--what', 'w', '--why', 'y']],
    [['deviate', 'toy', '--file', 'study.ts', '--why', 'y', '--what']],
  ])('deviate without --file, --what or --why prints the usage and exits 2: %j', async (args) => {
    const root = project();
    const { code, output } = await cli(root, ...args);
    expect(code).toBe(2);
    expect(output).toMatch(/^usage:/);
    expect(existsSync(join(root, 'experiments', 'toy', 'deviations.json'))).toBe(false);
  });

  test('deviate on a study that does not exist fails and creates no folder', async () => {
    const root = project();
    const { code, output } = await cli(root, 'deviate', 'tyop', '--file', 'study.ts', '--what', 'w', '--why', 'y');
    expect(code).toBe(1);
    expect(output).toBe(`UnknownStudyError: no study 'tyop': ${join(root, 'experiments', 'tyop', 'study.ts')} does not exist. The studies here: toy. Fix: name one of them, and run from the project root (or set HYPOTEST_ROOT).`);
    expect(existsSync(join(root, 'experiments', 'tyop'))).toBe(false);
  });

  test('deviate --analysis records an analysis deviation (rule 2 adopted) without a file; verify lists it and the rules', async () => {
    const root = project();
    expect((await cli(root, 'lock', 'toy')).code).toBe(0);
    const lockPath = join(root, 'experiments', 'toy', 'prereg.lock.json');
    // A lock made before verdict rules had versions: rule 1.
    const { verdictRule: _rule, ...old } = JSON.parse(readFileSync(lockPath, 'utf8'));
    writeFileSync(lockPath, JSON.stringify(old, null, 2) + '\n');
    let run = await cli(root, 'deviate', 'toy', '--analysis', '--what', 'verdicts by rule 2', '--why', 'minimum-effect testing');
    expect(run).toEqual({ code: 0, output: 'recorded analysis deviation (verdict rule 2) in experiments/toy/deviations.json. Commit it.' });
    const { deviations } = JSON.parse(readFileSync(join(root, 'experiments', 'toy', 'deviations.json'), 'utf8'));
    expect(deviations).toEqual([{ kind: 'analysis', verdictRule: 2, what: 'verdicts by rule 2', why: 'minimum-effect testing', when: expect.any(String) }]);
    run = await cli(root, 'verify', 'toy');
    expect(run.code).toBe(0);
    expect(run.output.split('\n')).toEqual([
      'analysis deviation: verdicts by rule 2 (verdict rule 2)',
      'verdicts by rule 2 (adopted by an analysis deviation; the lock registered rule 1, whose verdicts are shown beside where they differ).',
      `'toy' matches its lock ${old.hash.slice(0, 12)} (0 recorded deviations).`,
      UNVERIFIABLE,
      ...EMPTY_STORE(old.hash),
    ]);
    expect((await cli(root, 'deviate', 'toy', '--analysis', '--verdict-rule', '3', '--what', 'w', '--why', 'y')).code).toBe(2);
    expect((await cli(root, 'deviate', 'toy', '--analysis', '--what', 'w')).code).toBe(2);
  });

  test('a malformed deviations.json: verify exits 1 with a DeviationError', async () => {
    const root = project();
    expect((await cli(root, 'lock', 'toy')).code).toBe(0);
    writeFileSync(join(root, 'experiments', 'toy', 'deviations.json'), '[]');
    const { code, output } = await cli(root, 'verify', 'toy');
    expect(code).toBe(1);
    expect(output).toMatch(/^DeviationError: .*deviations\.json must be \{ "deviations": \[ \.\.\. \] \}/);
  });
});
