import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as opentype from 'opentype.js';
import type { Font } from 'opentype.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { InvalidInputError } from '../errors.ts';


const FONT_FILES = {
  regular: '@expo-google-fonts/source-sans-3/400Regular/SourceSans3_400Regular.ttf',
  bold: '@expo-google-fonts/source-sans-3/700Bold/SourceSans3_700Bold.ttf',
} as const;

let fonts: { regular: Font; bold: Font } | null = null;

/** Absolute paths of the figure font files (shipped in an npm package, never read from the system). */
export function figureFontFiles(): { regular: string; bold: string } {
  const require = createRequire(import.meta.url);
  return { regular: require.resolve(FONT_FILES.regular), bold: require.resolve(FONT_FILES.bold) };
}

function loadFonts(): { regular: Font; bold: Font } {
  if (fonts) return fonts;
  const files = figureFontFiles();
  const parse = (path: string) => {
    const bytes = readFileSync(path);
    // Node loads opentype.js's CommonJS build (parse on the default export), Vite its ES module (a named export).
    const module = opentype as unknown as { parse?: typeof opentype.parse; default?: { parse: typeof opentype.parse } };
    const parse = module.parse ?? module.default!.parse;
    return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  };
  fonts = { regular: parse(files.regular), bold: parse(files.bold) };
  return fonts;
}

/**
 * Advance width of `text` in the figure font at `size` px: the sum of the glyphs' advance widths. No shaping or
 * kerning (opentype.js 2.0 can apply neither Source Sans 3's GSUB nor its class-based GPOS kerning); for Latin
 * labels that is within a few percent of the shaped width, where Vega's own estimate is off by 20% or more.
 *
 * @example
 * textWidth('depth', 11) // ≈ 24.4
 */
export function textWidth(text: string, size: number, weight: 'normal' | 'bold' = 'normal'): number {
  const font = loadFonts()[weight === 'bold' ? 'bold' : 'regular'];
  let total = 0;
  for (const char of text) total += font.charToGlyph(char).advanceWidth ?? 0;
  return (total * size) / font.unitsPerEm;
}

function installTextMetrics(): void {
  // Vega measures labels with a canvas when it has one and guesses otherwise; Node has none, so give it the font's real metrics.
  const metrics = (vega as unknown as { textMetrics: { width: (item: Record<string, unknown>, text: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = typeof item.fontSize === 'number' ? item.fontSize : 11;
    const weight = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600) ? 'bold' : 'normal';
    const lines = Array.isArray(text) ? text.map(String) : [String(text ?? '')];
    return Math.max(...lines.map((line) => textWidth(line, size, weight)));
  };
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node: Vega-Lite → Vega → SVG, with label widths measured
 * from the bundled Source Sans 3 font (so axis titles and legends are laid out at their real size). Deterministic:
 * element ids that Vega numbers process-wide are renumbered per figure.
 *
 * @throws {InvalidInputError} when the spec does not compile.
 * @example
 * const svg = await renderSvg(forestSpec(hypotheses));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  let vegaSpec: vega.Spec;
  try {
    vegaSpec = compile(spec).spec;
  } catch (error) {
    throw new InvalidInputError(`renderSvg: the Vega-Lite spec does not compile: ${(error as Error).message}. Fix the spec builder.`);
  }
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return renumberIds(svg);
  } finally {
    view.finalize();
  }
}

/** Vega numbers clip paths and gradients with process-wide counters; number them per document instead. */
function renumberIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const match of svg.matchAll(/id="([A-Za-z_-]+?)(\d+)"/g)) {
    if (!ids.has(match[1] + match[2])) ids.set(match[1] + match[2], `${match[1]}${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/(id="|url\(#|href="#)([A-Za-z_-]+?\d+)(?=[")])/g, (whole, prefix: string, id: string) => `${prefix}${ids.get(id) ?? id}`);
}
