/**
 * Compiling Typst sources to PDF in Node with `@myriaddreamin/typst-ts-node-compiler` (a prebuilt binary in its npm
 * package; no browser, no network, no `@preview` packages). Fonts: Source Serif 4, Source Sans 3 and Source Code Pro,
 * TTF files shipped in npm packages (SIL OFL) and given to the compiler as font paths, which take priority over
 * installed fonts; documents set `fallback: false`, so no glyph is ever taken from a system font (the compiler
 * searches them and has no switch to stop it). Output is byte-reproducible: the PDF's creation date is a timestamp
 * the caller takes from the records.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HypotestError } from '../../harness/errors.ts';

/** A PDF could not be built (compiler missing or the source failed to compile); the message says which and why. */
export class PdfBuildError extends HypotestError {}

/** Families a hypotest document may use; `pdffonts` on every output must show only these (tested). */
export const DOCUMENT_FONTS = ['Source Serif 4', 'Source Sans 3', 'Source Code Pro'] as const;

const FONT_PACKAGES = ['source-serif-4', 'source-sans-3', 'source-code-pro'];
const FONT_STYLES = ['400Regular', '400Regular_Italic', '700Bold', '700Bold_Italic'];

/** Folders of the document fonts' TTF files (regular, italic, bold, bold italic of each family). */
export function documentFontDirectories(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_PACKAGES.flatMap((name) => {
    const root = dirname(require.resolve(`@expo-google-fonts/${name}/package.json`));
    return FONT_STYLES.map((style) => join(root, style));
  });
}

type Compiler = {
  compile(args: { mainFileContent: string }): { result?: unknown; takeError(): unknown; takeDiagnostics(): unknown };
  pdf(doc: unknown, opts?: { creationTimestamp?: number; pdfTags?: boolean }): Buffer;
  mapShadow(path: string, content: Buffer): void;
  resetShadow(): void;
  fetchDiagnostics(error: unknown): { message?: string; range?: string; path?: string }[];
};

let compiler: Compiler | null = null;
// A virtual root: documents see only the files mapped under it, never the project's or the system's.
const WORKSPACE = '/hypotest-typst';

function loadCompiler(): Compiler {
  if (compiler) return compiler;
  let module: { NodeCompiler: { create(args: unknown): Compiler } };
  try {
    module = createRequire(import.meta.url)('@myriaddreamin/typst-ts-node-compiler');
  } catch (error) {
    throw new PdfBuildError(`the Typst compiler (@myriaddreamin/typst-ts-node-compiler) could not be loaded: ${(error as Error).message}. Fix: run \`npm ci\` (its platform package must install for this OS and CPU).`);
  }
  compiler = module.NodeCompiler.create({ workspace: WORKSPACE, fontArgs: [{ fontPaths: documentFontDirectories() }] });
  return compiler;
}

/** Escapes text for Typst markup (outside math and code): every markup character, `//` comments and line-start markers. */
export function typstText(text: string): string {
  return text.replace(/[\\#$*_@<>\[\]~`\/]/g, (c) => `\\${c}`).replace(/^(\s*)([-+=])/gm, '$1\\$2');
}

/** A Typst string literal. */
export function typstString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Compiles a Typst document to PDF. `files` are mapped into the compiler's virtual file system at their absolute
 * paths (e.g. `/figures/forest.svg`), so the source can `image("/figures/forest.svg")`.
 *
 * @throws {PdfBuildError} when the compiler is unavailable or the source has errors (the first diagnostics are quoted).
 * @example
 * const pdf = compilePdf('= Hello', { files: {}, creationTimestamp: 1763920000 });
 */
export function compilePdf(source: string, options: { files: Record<string, Buffer | string>; creationTimestamp: number }): Buffer {
  const typst = loadCompiler();
  typst.resetShadow();
  for (const [path, content] of Object.entries(options.files)) typst.mapShadow(WORKSPACE + path, Buffer.isBuffer(content) ? content : Buffer.from(content));
  const compiled = typst.compile({ mainFileContent: source });
  const error = compiled.takeError();
  if (error || !compiled.result) {
    const diagnostics = error ? typst.fetchDiagnostics(error) : [];
    const text = diagnostics.slice(0, 3).map((d) => `${d.message ?? JSON.stringify(d)}${d.range ? ` at ${d.range}` : ''}`).join('; ');
    throw new PdfBuildError(`Typst could not compile the document: ${text || 'no diagnostics'}. Fix the generator (the .typ source was written beside the PDF's path).`);
  }
  return typst.pdf(compiled.result, { creationTimestamp: options.creationTimestamp, pdfTags: false });
}
