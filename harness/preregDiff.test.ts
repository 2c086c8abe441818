/**
 * hypotest diff: the pure comparisons on hand-made definitions, then the whole command on copies of the toy project
 * (in a git repository of its own, and outside git).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freshProject, GIT_ISOLATION } from '../fixtures/projects/run.ts';
import type { HypothesisSpec } from './analysis/index.ts';
import { contrast, pairedDifference } from './analysis/index.ts';
import { main } from './cli.ts';
import { compareHypotheses, compareStudies, diffPreregistration, lineChanges, type StudyView } from './preregDiff.ts';

Object.assign(process.env, GIT_ISOLATION);

const base: StudyView = {
  title: 'T', question: 'Q',
  dataset: { id: 'toy', description: 'toy data', params: { train: 200 }, hasShift: false },
  factors: { depth: [2, 4], act: ['relu', 'gelu'] },
  cells: { 'd2-relu': { depth: 2, act: 'relu' }, 'd2-gelu': { depth: 2, act: 'gelu' }, 'd4-relu': { depth: 4, act: 'relu' }, 'd4-gelu': { depth: 4, act: 'gelu' } },
  seeds: [1, 2, 3],
  pilot: null,
  metrics: { primary: 'accuracy', readAt: 'final-epoch' },
  budget: { registered: { epochs: 10 }, quick: { epochs: 1 } },
  analysis: { model: 'factorial', confidence: 0.95, families: { confirmatory: { correction: 'bonferroni', confirmatory: true } } },
  diverged: { rule: 'substitute-chance', reason: 'r' },
  notes: ['n1'],
};

describe('compareStudies', () => {
  test('no change, no lines', () => {
    expect(compareStudies(base, structuredClone(base))).toEqual([]);
  });

  test('seeds, cells, factor levels, budgets, analysis and notes, one line each, as a reviewer reads them', () => {
    const after = structuredClone(base);
    after.seeds = [1, 2, 3, 4, 5];
    after.factors = { depth: [2, 8], act: ['relu', 'gelu'] };
    after.cells = {
      'd2-relu': { depth: 2, act: 'relu', width: 128 }, 'd2-gelu': { depth: 2, act: 'gelu' },
      'd8-relu': { depth: 8, act: 'relu' }, 'd8-gelu': { depth: 8, act: 'gelu' },
    };
    (after.budget as { registered: { epochs: number } }).registered.epochs = 20;
    (after.analysis as { confidence: number }).confidence = 0.99;
    after.notes = ['n2'];
    expect(compareStudies(base, after)).toEqual([
      'seeds added: 4, 5 (now 1, 2, 3, 4, 5)',
      'factor depth: levels added 8',
      'factor depth: levels removed 4',
      'cell d4-relu removed (was {"act":"relu","depth":4})',
      'cell d4-gelu removed (was {"act":"gelu","depth":4})',
      'cell d8-relu added: {"act":"relu","depth":8}',
      'cell d8-gelu added: {"act":"gelu","depth":8}',
      'cell d2-relu: width added: 128',
      'budget.registered.epochs: 10 -> 20',
      'analysis.confidence: 0.95 -> 0.99',
      'note removed: "n1"',
      'note added: "n2"',
    ]);
  });

  test('the same change in every cell is one line; seeds removed and reordered are named', () => {
    const after = structuredClone(base);
    for (const config of Object.values(after.cells)) (config as Record<string, unknown>).lr = 0.1;
    after.seeds = [2, 1];
    expect(compareStudies(base, after)).toEqual(['seeds removed: 3 (now 2, 1)', 'every cell (4): lr added: 0.1']);
    const reordered = { ...structuredClone(base), seeds: [3, 2, 1] };
    expect(compareStudies(base, reordered)).toEqual(['seeds reordered: 1, 2, 3 -> 3, 2, 1']);
  });
});

describe('compareHypotheses', () => {
  const h1: HypothesisSpec = { id: 'H1', claim: 'a beats b', effect: pairedDifference('a', 'b'), direction: 'greater', sesoi: 0.5, sesoiReason: 'half a point', family: 'confirmatory' };
  const h2: HypothesisSpec = { id: 'H2', claim: 'c', effect: contrast({ depth: { 4: 1, 2: -1 } }), direction: 'less', sesoi: 1, sesoiReason: 'r', family: 'confirmatory' };

  test('SESOI, direction, effect, metric, family, claim and reason, by id', () => {
    const changed: HypothesisSpec = { ...h1, sesoi: 0.3, direction: 'equivalent', effect: pairedDifference('b', 'a'), metric: 'nll', claim: 'b beats a', sesoiReason: 'a third' };
    expect(compareHypotheses([h1], [changed], 'accuracy')).toEqual([
      'hypothesis H1: SESOI 0.5 -> 0.3',
      'hypothesis H1: direction greater -> equivalent',
      "hypothesis H1: effect pairedDifference('a', 'b') -> pairedDifference('b', 'a')",
      'hypothesis H1: metric accuracy -> nll',
      'hypothesis H1: claim "a beats b" -> "b beats a"',
      'hypothesis H1: SESOI reason "half a point" -> "a third"',
    ]);
  });

  test('added and removed hypotheses, the family sizes they change, and a new order', () => {
    const h3: HypothesisSpec = { ...h1, id: 'H3', claim: 'new', family: 'exploratory' };
    expect(compareHypotheses([h1, h2], [h1, h3], 'accuracy')).toEqual([
      'hypothesis H3 added: "new" (pairedDifference(\'a\', \'b\'), greater, SESOI 0.5, family exploratory)',
      'hypothesis H2 removed (was "c")',
      'family confirmatory: 2 -> 1 hypotheses (its multiplicity adjustment changes)',
      'family exploratory: 0 -> 1 hypotheses (its multiplicity adjustment changes)',
    ]);
    expect(compareHypotheses([h1, h2], [h2, h1], 'accuracy')).toEqual(['hypotheses reordered: H1, H2 -> H2, H1']);
    expect(compareHypotheses([h1, h2], [h1, h2], 'accuracy')).toEqual([]);
  });
});

test('lineChanges counts lines added and removed', () => {
  expect(lineChanges('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({ added: 2, removed: 1 });
  expect(lineChanges('same', 'same')).toEqual({ added: 0, removed: 0 });
});

describe('hypotest diff on the toy project', () => {
  const created: string[] = [];
  afterAll(() => { for (const dir of created) rmSync(dir, { recursive: true, force: true }); });
  let counter = 0;
  const project = () => {
    const dir = freshProject('toy', `diff-unit-${process.pid}-${counter++}`);
    created.push(dir);
    return dir;
  };
  const gitIn = (dir: string, ...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.email=test@example.invalid', '-c', 'user.name=test', ...args], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  };
  async function cli(root: string, ...args: string[]) {
    const lines: string[] = [];
    const code = await main(args, root, (line) => { lines.push(line); });
    return { code, output: lines.join('\n') };
  }
  const edit = (path: string, from: string | RegExp, to: string) => {
    const text = readFileSync(path, 'utf8');
    const next = text.replace(from, to);
    expect(next).not.toBe(text);
    writeFileSync(path, next);
  };

  test('in git: the locked texts come from the lock commit; seeds, cells, SESOIs, a cell\'s code and deviations are named', async () => {
    const dir = project();
    const studyDir = join(dir, 'experiments', 'toy');
    gitIn(dir, 'init', '-q');
    gitIn(dir, 'add', '.');
    gitIn(dir, 'commit', '-qm', 'study');
    expect((await cli(dir, 'lock', 'toy')).code).toBe(0);
    gitIn(dir, 'add', '.');
    gitIn(dir, 'commit', '-qm', 'lock');
    expect((await cli(dir, 'diff', 'toy')).output).toContain('No pre-registration file changed since the lock.');
    expect((await cli(dir, 'deviate', 'toy', '--analysis', '--what', 'adopt the current verdict rule', '--why', 'it refutes intervals short of the SESOI')).code).toBe(0);
    expect((await cli(dir, 'diff', 'toy')).output).toMatch(/Analysis \(recorded deviations\):\n {2}\S+: adopt the current verdict rule \(adopts verdict rule \d\)\. Why: it refutes intervals short of the SESOI/);

    edit(join(studyDir, 'study.ts'), 'seeds: [1, 2, 3]', 'seeds: [1, 2, 3, 4]');
    edit(join(studyDir, 'hypotheses.exp.ts'), "effect: contrast({ a: { a1: 1, a0: -1 } }), direction: 'greater', sesoi: 10", "effect: contrast({ a: { a1: 1, a0: -1 } }), direction: 'greater', sesoi: 8");
    appendFileSync(join(studyDir, 'cells', 'a1-b1.exp.ts'), '// a change to the training code\n');
    expect((await cli(dir, 'deviate', 'toy', '--file', 'cells/a1-b1.exp.ts', '--what', 'a comment', '--why', 'clarity')).code).toBe(0);

    const diff = await diffPreregistration(dir, 'toy');
    expect(diff.level).toBe('definitions');
    expect(diff.studyChanges).toEqual(['seeds added: 4 (now 1, 2, 3, 4)']);
    expect(diff.hypothesisChanges).toEqual(['hypothesis H4: SESOI 10 -> 8']);
    const { code, output } = await cli(dir, 'diff', 'toy');
    expect(code).toBe(0);
    expect(output).toContain("cells/a1-b1.exp.ts: the cell's code changed (+1 −0 lines) — deviation: a comment");
    expect(output).toContain('study.ts: changed (+1 −1 lines) — NO DEVIATION RECORDED');
    expect(output).toContain('  seeds added: 4 (now 1, 2, 3, 4)');
    expect(output).toContain('  hypothesis H4: SESOI 10 -> 8');
    // The temporary copy of the locked version is gone.
    expect(spawnSync('ls', [join(dir, 'experiments')], { encoding: 'utf8' }).stdout.trim()).toBe('toy');
  });

  test('a text-only edit is told apart from a change of the definitions', async () => {
    const dir = project();
    gitIn(dir, 'init', '-q');
    gitIn(dir, 'add', '.');
    gitIn(dir, 'commit', '-qm', 'study');
    await cli(dir, 'lock', 'toy');
    gitIn(dir, 'add', '.');
    gitIn(dir, 'commit', '-qm', 'lock');
    appendFileSync(join(dir, 'experiments', 'toy', 'hypotheses.exp.ts'), '\n// a clarifying comment\n');
    const diff = await diffPreregistration(dir, 'toy');
    expect(diff.hypothesisChanges).toEqual([]);
    expect(diff.notes).toContain('hypotheses.exp.ts: the text changed, but the evaluated definitions are identical (comments, formatting or how they are written)');
  });

  test('outside git, with study.ts changed: only which files differ, and why', async () => {
    const dir = project();
    await cli(dir, 'lock', 'toy');
    edit(join(dir, 'experiments', 'toy', 'study.ts'), 'seeds: [1, 2, 3]', 'seeds: [1, 2]');
    const diff = await diffPreregistration(dir, 'toy');
    expect(diff.level).toBe('files');
    expect(diff.reason).toContain('the locked study.ts is not recoverable (the study is not in a git repository and the files changed since the lock)');
    expect(diff.files).toEqual([{ file: 'study.ts', kind: 'changed', deviation: null }]);
    const { output } = await cli(dir, 'diff', 'toy');
    expect(output).toContain('Definitions: not compared: the locked study.ts is not recoverable');
  });

  test('outside git, with only a cell file changed, the definitions are still compared (the unchanged files are the locked texts)', async () => {
    const dir = project();
    await cli(dir, 'lock', 'toy');
    appendFileSync(join(dir, 'experiments', 'toy', 'cells', 'a0-b0.exp.ts'), '// x\n');
    const diff = await diffPreregistration(dir, 'toy');
    expect(diff.level).toBe('definitions');
    expect(diff.studyChanges).toEqual([]);
    expect(diff.files).toEqual([{ file: 'cells/a0-b0.exp.ts', kind: 'changed', deviation: null }]);
  });
});
