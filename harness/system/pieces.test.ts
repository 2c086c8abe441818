/**
 * One list of system pieces (harness/system/pieces.ts), and everything else agrees with it: the README's table, the
 * tests that need a piece, `npm test`'s preflight, and `.ci/run`, which runs the README's two commands and nothing else
 * (no apt-get of its own, no cluster start, no verify loop).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { piecesTable, SLURM_CLUSTER, SYSTEM_PIECES, systemPiece, MissingSystemPieceError } from './pieces.ts';
import { missingPieceError } from '../../fixtures/systemPieces.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const ciRun = readFileSync(join(REPO, '.ci', 'run'), 'utf8');

/** The command lines of a shell text: no blank lines, comments, shebang or the script's own set-up lines. */
function commandLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/^set -/.test(line) && !/^cd "\$\(dirname "\$0"\)\/\.\."$/.test(line));
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('the list of system pieces', () => {
  test('the README shows exactly the list (its table is piecesTable())', () => {
    const block = /<!-- system-pieces -->\n([\s\S]*?)\n<!-- \/system-pieces -->/.exec(readme);
    expect(block, 'README.md lacks the <!-- system-pieces --> table').not.toBeNull();
    expect(block![1]).toBe(piecesTable());
    for (const piece of SYSTEM_PIECES) expect(block![1]).toContain(`| \`${piece.package}\` |`);
  });

  test('every test named in the list exists, and every test that needs a piece is named under it', () => {
    for (const piece of SYSTEM_PIECES) for (const file of piece.tests) expect(existsSync(join(REPO, file)), `${piece.package}: ${file}`).toBe(true);
    for (const file of SLURM_CLUSTER.tests) expect(existsSync(join(REPO, file))).toBe(true);
    const names = SYSTEM_PIECES.map((p) => p.package);
    const users: string[] = [];
    for (const file of ['harness', 'reporters', 'fixtures', 'bench'].flatMap(testFiles)) {
      const source = readFileSync(join(REPO, file), 'utf8');
      for (const call of source.matchAll(/(?:describe|test)Needing\(([^)]*)\)/g)) {
        for (const literal of call[1].split(',')[0].matchAll(/'([^']+)'/g)) {
          if (!names.includes(literal[1])) throw new Error(`${file} needs '${literal[1]}', which is not in SYSTEM_PIECES`);
          users.push(`${relative(REPO, join(REPO, file))} → ${literal[1]}`);
          expect(systemPiece(literal[1]).tests, `${file} needs ${literal[1]} but is not listed under it`).toContain(file);
        }
      }
    }
    // The scan sees the tests it should (guards the test itself).
    expect(users).toContain('fixtures/ui/ui.test.ts → chromium');
    expect(users).toContain('harness/models/fastCpu/blas.test.ts → libopenblas0');
  });

  test('no test skips silently on a missing tool: no skipIf on a tool, library or dataset check', () => {
    const offenders: string[] = [];
    for (const file of ['harness', 'reporters', 'fixtures', 'bench'].flatMap(testFiles)) {
      const source = readFileSync(join(REPO, file), 'utf8');
      for (const match of source.matchAll(/\.skipIf\(([^)]*)\)/g)) {
        if (/available|installed|found|existsSync|hasApt|CHROMIUM|slurm|sbatch|blas|xgboost|poppler|pdftotext/i.test(match[1])) offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test('a test that needs a missing piece fails with a named error that says what to do', () => {
    const error = missingPieceError('poppler-utils', 'pdftotext not on PATH');
    expect(error).toBeInstanceOf(MissingSystemPieceError);
    expect(error.message).toBe(
      'needs the Debian package poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm: the PDF report checks), which is missing here (pdftotext not on PATH). ' +
        'Fix: run npm test (its preflight installs it as root, or prints the command to run as root), or apt-get install poppler-utils as root. ' +
        'Needed by: reporters/paper/documents.test.ts, reporters/paper/prereg.test.ts, reporters/cli.test.ts.',
    );
    expect(() => systemPiece('libfoo')).toThrow(MissingSystemPieceError);
  });
});

describe('.ci/run, the README and npm test', () => {
  test('the README\'s quick start is the two commands, and .ci/run runs exactly those lines', () => {
    const section = readme.slice(readme.indexOf('## The two commands'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    expect(commandLines(block)).toEqual(['npm ci && HYPOTEST_PROFILE=quick npx vitest run experiments', 'npm test']);
    expect(commandLines(ciRun)).toEqual(commandLines(block));
  });

  test('.ci/run installs nothing and starts nothing by itself: no apt-get, no package of the list, no cluster, no verify', () => {
    const commands = commandLines(ciRun).join('\n');
    expect(commands).not.toMatch(/apt-get|sudo|cluster\.sh|hypotest verify/);
    for (const piece of SYSTEM_PIECES) expect(commands).not.toContain(piece.package);
  });

  test('npm test runs the preflight first', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test.startsWith('tsx harness/system/preflight.ts && ')).toBe(true);
  });
});
