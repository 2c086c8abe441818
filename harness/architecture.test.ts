/**
 * The layers point one way (DESIGN.md, Layout): experiments → harness API → registration → analysis → stats;
 * reporters read records and meta types. This test parses the imports of every non-test TypeScript file and
 * checks the directions that keep the library free of scripts, fixtures and renderers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Every .ts file below `folder` that is not a test, relative to the repository root. */
function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(REPO, path));
    }
  };
  walk(join(REPO, folder));
  return out.sort();
}

/** The module specifiers a file imports or re-exports (static, type-only and dynamic imports). */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(join(REPO, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier resolved to a path from the repository root; null for a package or `node:` import. */
function target(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(REPO, resolve(REPO, dirname(file), specifier));
}

/** `file → specifier` for every import of the files under `folder` that `forbidden` rejects. */
function violations(folder: string, forbidden: (file: string, specifier: string, resolved: string | null) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) => importsOf(file).filter((s) => forbidden(file, s, target(file, s))).map((s) => `${file} → ${s}`));
}

describe('import directions of non-test files', () => {
  test('the parser sees the imports it should (guards the test itself)', () => {
    expect(sourceFiles('harness')).toContain('harness/hypothesis.ts');
    expect(importsOf('harness/hypothesis.ts')).toContain('./analysis/index.ts');
    expect(target('harness/hypothesis.ts', '../reporters/x.ts')).toBe('reporters/x.ts');
    expect(violations('reporters', (_f, _s, r) => r?.startsWith('harness/') ?? false).length).toBeGreaterThan(0);
  });

  test('nothing under harness/ imports from reporters/, bench/ or fixtures/', () => {
    expect(violations('harness', (_file, _specifier, resolved) => resolved !== null && /^(reporters|bench|fixtures)(\/|$)/.test(resolved))).toEqual([]);
  });

  test('harness/stats imports nothing of the project outside itself but harness/errors.ts, and no Node, Vitest or tfjs', () => {
    expect(violations('harness/stats', (_file, specifier, resolved) => {
      if (resolved === null) return /^(node:|vitest|@tensorflow\/|fs$|path$)/.test(specifier);
      return !resolved.startsWith('harness/stats/') && resolved !== 'harness/errors.ts';
    })).toEqual([]);
  });

  test('harness/analysis is pure and harness/figures renders only: no Vitest, nothing from the registration layer above them', () => {
    const registration = /^harness\/(hypothesis|cell|studyVerdicts|verdictAnnotation|recordLookup|lock|seal|cli|index)\.ts$/;
    // The figures may read their font files (text metrics); the analysis does no I/O at all.
    const external = { 'harness/analysis': /^(node:|vitest)/, 'harness/figures': /^vitest/ };
    for (const [folder, forbiddenPackage] of Object.entries(external)) {
      expect(violations(folder, (_file, specifier, resolved) => (resolved === null ? forbiddenPackage.test(specifier) : registration.test(resolved)))).toEqual([]);
    }
  });
});
