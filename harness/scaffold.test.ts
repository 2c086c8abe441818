import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main } from './cli.ts';
import { StudyDefinitionError } from './errors.ts';
import { scaffoldStudy } from './scaffold.ts';
import { errorOf } from '../fixtures/testing.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hypotest-scaffold-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scaffoldStudy', () => {
  test('factorial: study.ts, one cell file per combination of levels, hypotheses, and a vitest.config.ts for a bare root', () => {
    const result = scaffoldStudy(root, 'my-ablation', 'factorial');
    expect(result.files).toEqual([
      'experiments/my-ablation/study.ts',
      'experiments/my-ablation/cells/d1-relu.exp.ts',
      'experiments/my-ablation/cells/d1-gelu.exp.ts',
      'experiments/my-ablation/cells/d2-relu.exp.ts',
      'experiments/my-ablation/cells/d2-gelu.exp.ts',
      'experiments/my-ablation/hypotheses.exp.ts',
      'vitest.config.ts',
    ]);
    const study = readFileSync(join(root, 'experiments/my-ablation/study.ts'), 'utf8');
    expect(study).toContain("name: 'my-ablation'");
    expect(study).toContain("model: 'factorial'");
    expect(study).toContain('} as const;');
    // The import reaches this harness from wherever the project is.
    const harnessImport = /from '([^']+\/harness\/index\.ts)'/.exec(study)![1];
    expect(existsSync(join(root, 'experiments/my-ablation', harnessImport))).toBe(true);
    const cellFile = readFileSync(join(root, 'experiments/my-ablation/cells/d2-gelu.exp.ts'), 'utf8');
    expect(cellFile).toContain("cell(study, 'd2-gelu', { train: trainMlp });");
    expect(existsSync(join(root, 'experiments/my-ablation/cells', /from '([^']+)'/.exec(cellFile)![1]))).toBe(true);
    const config = readFileSync(join(root, 'vitest.config.ts'), 'utf8');
    for (const specifier of [...config.matchAll(/'(\.[^']+\.ts)'/g)].map((m) => m[1])) expect(existsSync(join(root, specifier)), specifier).toBe(true);
    expect(readFileSync(join(root, 'experiments/my-ablation/hypotheses.exp.ts'), 'utf8')).toMatch(/id: 'H1'[\s\S]*id: 'H2'[\s\S]*id: 'E1'/);
  });

  test("arms: two arms analysed seed by seed, a paired and a top-two hypothesis; an existing Vitest config is left alone", () => {
    writeFileSync(join(root, 'vitest.config.ts'), '// mine\n');
    const result = scaffoldStudy(root, 'bench1', 'arms');
    expect(result.files).toEqual([
      'experiments/bench1/study.ts',
      'experiments/bench1/cells/mlp-small.exp.ts',
      'experiments/bench1/cells/mlp-large.exp.ts',
      'experiments/bench1/hypotheses.exp.ts',
    ]);
    expect(readFileSync(join(root, 'vitest.config.ts'), 'utf8')).toBe('// mine\n');
    const study = readFileSync(join(root, 'experiments/bench1/study.ts'), 'utf8');
    expect(study).toContain("model: 'paired'");
    expect(study).not.toContain('factors,');
    const hypotheses = readFileSync(join(root, 'experiments/bench1/hypotheses.exp.ts'), 'utf8');
    expect(hypotheses).toContain("pairedDifference('mlp-large', 'mlp-small')");
    expect(hypotheses).toContain('topTwoOnValidation()');
  });

  test('refuses a bad name, an unknown design and an existing study folder, writing nothing', () => {
    const badName = errorOf(() => scaffoldStudy(root, 'My_Study', 'factorial'));
    expect(badName).toBeInstanceOf(StudyDefinitionError);
    expect(badName.message).toContain('lowercase letters, digits and dashes');
    const badDesign = errorOf(() => scaffoldStudy(root, 'ok', 'latin-square' as 'arms'));
    expect(badDesign.message).toContain('--design factorial');
    expect(existsSync(join(root, 'experiments'))).toBe(false);
    scaffoldStudy(root, 'taken', 'arms');
    const before = readFileSync(join(root, 'experiments/taken/study.ts'), 'utf8');
    const exists = errorOf(() => scaffoldStudy(root, 'taken', 'factorial'));
    expect(exists.message).toContain('already exists; nothing was written');
    expect(readFileSync(join(root, 'experiments/taken/study.ts'), 'utf8')).toBe(before);
    expect(readdirSync(join(root, 'experiments/taken/cells'))).toEqual(['mlp-large.exp.ts', 'mlp-small.exp.ts']);
  });
});

describe('hypotest new (command line)', () => {
  test('writes the skeleton and says what to run next; without --design it prints the usage', async () => {
    const lines: string[] = [];
    expect(await main(['new', 'cli-study', '--design', 'factorial'], root, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toBe("wrote a factorial study 'cli-study':");
    expect(lines.join('\n')).toContain('HYPOTEST_PROFILE=quick npx vitest run experiments/cli-study');
    const usage: string[] = [];
    expect(await main(['new', 'other'], root, (l) => usage.push(l))).toBe(2);
    expect(usage.join('\n')).toContain('npx hypotest new <study> --design factorial|arms');
    const refused: string[] = [];
    expect(await main(['new', 'cli-study', '--design', 'arms'], root, (l) => refused.push(l))).toBe(1);
    expect(refused.join('\n')).toContain('StudyDefinitionError');
  });
});
