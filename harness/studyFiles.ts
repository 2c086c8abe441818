import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingCellFileError } from './errors.ts';
import { sha256 } from './util.ts';

/** The harness's own folder: modules under it are the tool, not the study, and are never hashed into a lock or key. */
export const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));

const EXTENSIONS = ['', '.ts', '.mts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js'];
const CODE = /\.(m?[jt]sx?)$/;

/**
 * The relative module specifiers a source file imports or re-exports (static, side-effect, type-only and dynamic
 * imports with a literal specifier). Comments are ignored; bare specifiers (packages, `node:`) are dropped.
 */
export function relativeImportsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const found = new Set<string>();
  for (const pattern of [/\bfrom\s*['"]([^'"\n]+)['"]/g, /\bimport\s*['"]([^'"\n]+)['"]/g, /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g]) {
    for (const match of code.matchAll(pattern)) if (match[1].startsWith('.')) found.add(match[1]);
  }
  return [...found];
}

function resolveImport(fromFile: string, specifier: string): string | null {
  const base = resolve(dirname(fromFile), specifier);
  for (const extension of EXTENSIONS) {
    const candidate = base + extension;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function isHarnessOrPackage(path: string): boolean {
  return path === HARNESS_DIR || path.startsWith(HARNESS_DIR + sep) || path.split(sep).includes('node_modules');
}

/**
 * The project files that `entries` import, directly or through each other, outside `harness/` and packages:
 * absolute paths, the entries first. `exclude` drops a file and what only it imports (a cell's `study.ts`).
 */
function importClosure(entries: readonly string[], options: { exclude?: (path: string) => boolean } = {}): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file) || isHarnessOrPackage(file) || options.exclude?.(file)) continue;
    seen.add(file);
    if (!CODE.test(file)) continue;
    for (const specifier of relativeImportsOf(readFileSync(file, 'utf8'))) {
      const target = resolveImport(file, specifier);
      if (target) queue.push(target);
    }
  }
  return [...seen];
}

/** A path relative to the study folder, with forward slashes (`cells/a.exp.ts`, `../common.ts`). */
function studyRelative(studyDir: string, path: string): string {
  return relative(studyDir, path).split(sep).join('/');
}

/** The study's own modules: study.ts, hypotheses.exp.ts and cells/*.exp.ts (sorted), those that exist. */
export function studyModules(studyDir: string): string[] {
  const files: string[] = [];
  for (const name of ['study.ts', 'hypotheses.exp.ts']) if (existsSync(join(studyDir, name))) files.push(name);
  const cellsDir = join(studyDir, 'cells');
  if (existsSync(cellsDir)) {
    for (const name of readdirSync(cellsDir).filter((n) => n.endsWith('.exp.ts')).sort()) files.push(`cells/${name}`);
  }
  return files;
}

/**
 * The pre-registration files of a study folder, relative to it: its modules ({@link studyModules}) and then every
 * project file outside `harness/` that they import, directly or indirectly (e.g. `../common.ts`), sorted.
 *
 * @example
 * preregistrationFiles('experiments/ablation') // ['study.ts', 'hypotheses.exp.ts', 'cells/d2-gelu-wd0.exp.ts', ...]
 */
export function preregistrationFiles(studyDir: string): string[] {
  const modules = studyModules(studyDir);
  const imported = importClosure(modules.map((m) => join(studyDir, m)))
    .map((path) => studyRelative(studyDir, path))
    .filter((file) => !modules.includes(file))
    .sort();
  return [...modules, ...imported];
}

/** sha256 of each named file (relative to `studyDir`), in the given order. */
export function hashStudyFiles(studyDir: string, files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) out[file] = sha256(readFileSync(join(studyDir, file)));
  return out;
}

/**
 * A cell's own files and their sha256: `cells/<cell>.exp.ts` and the project files outside `harness/` that it
 * imports, directly or indirectly, except `study.ts` (the study's declarations reach the run key as values: config,
 * budget, dataset; a title edit must retrain nothing). Part of the run key, so a recorded deviation that changes
 * what a cell trains retrains that cell.
 *
 * @throws {MissingCellFileError} when the cell file does not exist.
 * @example
 * cellFileHashes('experiments/ablation', 'd2-relu-wd0') // { 'cells/d2-relu-wd0.exp.ts': 'eec2ad…' }
 */
export function cellFileHashes(studyDir: string, cell: string): Record<string, string> {
  const cellFile = join(studyDir, 'cells', `${cell}.exp.ts`);
  if (!existsSync(cellFile)) {
    throw new MissingCellFileError(
      `cell '${cell}' of study '${studyDir.split(sep).pop()}' has no file ${studyRelative(studyDir, cellFile)}, so nothing says what it trains and its stored runs cannot be checked. ` +
        `Fix: restore the file (git checkout -- <file>), or remove the cell from study.ts and record both changes with \`npx hypotest deviate\`.`,
    );
  }
  const studyFile = join(studyDir, 'study.ts');
  const files = importClosure([cellFile], { exclude: (path) => path === studyFile }).map((path) => studyRelative(studyDir, path));
  return hashStudyFiles(studyDir, [files[0], ...files.slice(1).sort()]);
}
