/**
 * Colours and type for every hypotest figure. The categorical palette is Okabe and Ito's (2008) colour-blind-safe
 * set; verdict colours come from it too, and every figure also writes the verdict as a word, so colour is never the
 * only cue.
 */

/** Okabe-Ito colours, in the order categorical encodings use them. */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const;

/** One colour per verdict (Okabe-Ito blue-green, vermillion, orange; grey for incomplete and error). */
export const VERDICT_COLOURS: Record<string, string> = {
  supported: '#009E73',
  refuted: '#D55E00',
  inconclusive: '#E69F00',
  incomplete: '#7F7F7F',
  error: '#7F7F7F',
};

/** The verdicts in the order legends list them. */
export const VERDICT_ORDER = ['supported', 'inconclusive', 'refuted', 'incomplete', 'error'] as const;

/** The figures' font family: Source Sans 3, shipped as TTF in `@expo-google-fonts/source-sans-3` (SIL OFL). */
export const FIGURE_FONT = 'Source Sans 3';

/** Print width of a full-width paper figure (US letter, 1 in margins: 6.5 in = 468 pt; 1 SVG px maps to 1 pt). */
export const PRINT_WIDTH = 468;
