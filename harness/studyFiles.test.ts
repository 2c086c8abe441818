import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MissingCellFileError } from './errors.ts';
import { cellFileHashes, HARNESS_DIR, preregistrationFiles, relativeImportsOf } from './studyFiles.ts';
import { errorOf } from '../fixtures/testing.ts';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

let root: string;
let studyDir: string;
function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}
beforeEach(() => {
  root = mkdtempSync(join(os.tmpdir(), 'hypotest-files-'));
  studyDir = join(root, 'experiments', 'demo');
  const harness = JSON.stringify(join(HARNESS_DIR, 'index.ts'));
  write(join(studyDir, 'study.ts'), `import { defineStudy } from ${harness};\nimport { data } from '../data.ts';\nexport default 1;\n`);
  write(join(studyDir, 'hypotheses.exp.ts'), `import study from './study.ts';\n`);
  write(join(studyDir, 'cells', 'a.exp.ts'), `import { cell } from ${harness};\nimport study from '../study.ts';\nimport { train } from '../../common';\n// import { nope } from '../../commented-out.ts';\n`);
  write(join(studyDir, 'cells', 'b.exp.ts'), `import study from '../study.ts';\nexport { x } from './shared/helper.ts';\nconst lazy = () => import('../../../lazy.ts');\n`);
  write(join(studyDir, 'cells', 'shared', 'helper.ts'), `import type { T } from '../../../../types.ts';\nexport const x = 1;\n`);
  write(join(root, 'experiments', 'common.ts'), `import './side-effect.ts';\nexport const train = 1;\n`);
  write(join(root, 'experiments', 'side-effect.ts'), `export {};\n`);
  write(join(root, 'experiments', 'data.ts'), `export const data = 1;\n`);
  write(join(root, 'lazy.ts'), `export const lazy = 1;\n`);
  write(join(root, 'types.ts'), `export type T = number;\n`);
  write(join(root, 'commented-out.ts'), `export const nope = 1;\n`);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('relativeImportsOf', () => {
  test('finds static, re-export, side-effect, type-only and dynamic imports; skips packages and comments', () => {
    const source = `import a from './a.ts';\nimport type { B } from "../b";\nexport * from './c.ts';\nimport './d.ts';\nconst e = await import('./e.ts');\nimport x from 'vitest';\nimport y from 'node:fs';\n/* import z from './z.ts'; */\n// import w from './w.ts';\nconst url = 'https://example.org/x'; import f from './f.ts';\n`;
    expect(relativeImportsOf(source).sort()).toEqual(['../b', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
  });
});

describe('preregistrationFiles', () => {
  test("the study's modules first, then every project file outside harness/ they import, directly or not, relative to the study folder", () => {
    expect(preregistrationFiles(studyDir)).toEqual([
      'study.ts', 'hypotheses.exp.ts', 'cells/a.exp.ts', 'cells/b.exp.ts',
      '../../lazy.ts', '../../types.ts', '../common.ts', '../data.ts', '../side-effect.ts', 'cells/shared/helper.ts',
    ]);
  });
});

describe('cellFileHashes', () => {
  test("the cell file and its non-harness imports, without study.ts (nor what only study.ts imports)", () => {
    expect(cellFileHashes(studyDir, 'a')).toEqual({
      'cells/a.exp.ts': expect.stringMatching(/^[0-9a-f]{64}$/),
      '../common.ts': hex(`import './side-effect.ts';\nexport const train = 1;\n`),
      '../side-effect.ts': hex('export {};\n'),
    });
    expect(Object.keys(cellFileHashes(studyDir, 'b'))).toEqual(['cells/b.exp.ts', '../../lazy.ts', '../../types.ts', 'cells/shared/helper.ts']);
  });

  test('a change to a shared import changes the hashes of exactly the cells that import it', () => {
    const before = { a: cellFileHashes(studyDir, 'a'), b: cellFileHashes(studyDir, 'b') };
    write(join(root, 'experiments', 'side-effect.ts'), `export const changed = true;\n`);
    write(join(studyDir, 'study.ts'), `export default 2; // a title edit\n`);
    expect(cellFileHashes(studyDir, 'a')).not.toEqual(before.a);
    expect(cellFileHashes(studyDir, 'b')).toEqual(before.b);
  });

  test('a declared cell without its file is a MissingCellFileError that says how to fix it', () => {
    const error = errorOf(() => cellFileHashes(studyDir, 'c'));
    expect(error).toBeInstanceOf(MissingCellFileError);
    expect(error.message).toContain("cell 'c' of study 'demo' has no file cells/c.exp.ts");
    expect(error.message).toContain('Fix: restore the file');
  });
});
