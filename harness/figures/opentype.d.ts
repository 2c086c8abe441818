/** The part of opentype.js 2.0 (no bundled types) that the figure renderer uses for text metrics. */
declare module 'opentype.js' {
  export interface Glyph { advanceWidth?: number }
  export interface Font {
    unitsPerEm: number;
    charToGlyph(char: string): Glyph;
  }
  export function parse(buffer: ArrayBuffer): Font;
  const opentype: { parse: typeof parse };
  export default opentype;
}
