/**
 * The researcher's narrative: `experiments/<study>/narrative.md`, outside the lock's hash (like `post-hoc.md`). Its
 * `## Introduction`, `## Discussion` and optional `## Limitations` and `## Next steps` sections become the paper's and
 * the readout's prose. Every number in it is a reference to the records, never typed: `{{H1.estimate}}`,
 * `{{H1.ci}}`, `{{cell.d2-relu-wd0.mean}}`, `{{anova.depth.p}}` ... The generator fills them and fails with a
 * {@link NarrativeReferenceError} on any reference it does not know.
 */
import { HypotestError } from '../../harness/errors.ts';
import type { HypothesisResult } from '../../harness/index.ts';
import { METRICS, type MetricName } from '../../harness/study.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { formatConfidence, formatInterval, formatP, formatValue } from '../../harness/figures/format.ts';
import { typstText } from './typst.ts';

/** The narrative names a reference the records do not have, or misses a required section. */
export class NarrativeReferenceError extends HypotestError {}

/** The file name of a study's narrative, beside `study.ts`. */
export const NARRATIVE_FILE = 'narrative.md';

/** The sections a narrative may have; the first two are required. */
export const NARRATIVE_SECTIONS = ['Introduction', 'Discussion', 'Limitations', 'Next steps'] as const;
export type NarrativeSection = (typeof NARRATIVE_SECTIONS)[number];

/** A narrative with its references filled: markdown text per section. */
export type Narrative = Partial<Record<NarrativeSection, string>>;

const HYPOTHESIS_FIELDS = ['estimate', 'lower', 'upper', 'ci', 'sesoi', 'mde', 'verdict', 'confidence', 'p', 'adjustedP', 'df', 'se', 'claim'] as const;

/** Every reference the records of `file` can fill, with its text. */
export function narrativeValues(file: VerdictsFile): Map<string, string> {
  const values = new Map<string, string>();
  const put = (key: string, value: string) => values.set(key, value);
  for (const h of file.hypotheses) {
    const u = h.unit;
    const fields: Record<(typeof HYPOTHESIS_FIELDS)[number], string> = {
      estimate: formatValue(h.estimate, u, { signed: true }), lower: formatValue(h.lower, u, { signed: true }), upper: formatValue(h.upper, u, { signed: true }),
      ci: formatInterval(h.lower, h.upper, u), sesoi: String(h.sesoi), mde: formatValue(h.minimumDetectableEffect, u), verdict: h.verdict,
      confidence: formatConfidence(h.confidence), p: formatP(h.pValue), adjustedP: formatP(h.adjustedPValue), df: h.df === null ? '—' : String(h.df),
      se: formatValue(h.standardError, u, { decimals: (u === 'pp' ? 3 : 4) }), claim: h.claim,
    };
    for (const [field, text] of Object.entries(fields)) put(`${h.id}.${field}`, text);
  }
  const unit = file.hypotheses.find((h) => h.metric === file.summary?.metric)?.unit ?? 'pp';
  for (const c of file.summary?.cells ?? []) {
    for (const [key, m] of Object.entries(c.metrics)) {
      const [split, metric] = key.split('.');
      const u = Object.hasOwn(METRICS, metric) ? METRICS[metric as MetricName].valueUnit : unit;
      const base = metric === file.summary!.metric && split === file.summary!.split ? `cell.${c.cell}` : `cell.${c.cell}.${split}.${metric}`;
      put(`${base}.mean`, formatValue(m.mean, u));
      put(`${base}.ci`, formatInterval(m.lower, m.upper, u).replace(/\+/g, ''));
    }
  }
  if (file.summary?.anova) {
    for (const row of file.summary.anova.rows) {
      put(`anova.${row.term}.F`, row.F.toFixed(2));
      put(`anova.${row.term}.p`, formatP(row.pValue));
      put(`anova.${row.term}.df`, String(row.df));
      put(`anova.${row.term}.omega2`, row.partialOmegaSquared.toFixed(2));
    }
    put('residual.df', String(file.summary.anova.residual.df));
    put('residual.sd', formatValue(Math.sqrt(file.summary.anova.residual.meanSquare), unit));
  }
  put('study.cells', String(file.design.cells.length));
  put('study.seeds', String(file.design.seeds.length));
  put('study.runs', String(file.design.cells.length * file.design.seeds.length));
  put('study.lock', file.study.lockHash?.slice(0, 8) ?? 'unlocked');
  return values;
}

/**
 * Fills every `{{reference}}` of a narrative from the records and splits it into its sections.
 *
 * @throws {NarrativeReferenceError} on an unknown reference (named, with the forms that exist) or a missing section.
 * @example
 * fillNarrative('## Introduction\nDepth costs {{H1.estimate}} pp.\n## Discussion\n...', file, 'experiments/ablation/narrative.md')
 */
export function fillNarrative(source: string, file: VerdictsFile, where: string): Narrative {
  const values = narrativeValues(file);
  const filled = source.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, reference: string) => {
    const value = values.get(reference);
    if (value === undefined) {
      const ids = file.hypotheses.map((h) => h.id).join(', ');
      throw new NarrativeReferenceError(`${where}: unknown reference {{${reference}}}. The records give {{<hypothesis>.<field>}} for hypotheses ${ids} and fields ${HYPOTHESIS_FIELDS.join(', ')}; {{cell.<cell>.mean}}, {{cell.<cell>.ci}}; {{anova.<term>.F|p|df|omega2}}; {{residual.sd}}, {{residual.df}}; {{study.cells|seeds|runs|lock}}. Fix the reference; never type the number.`);
    }
    return value;
  });
  const sections: Narrative = {};
  const parts = filled.split(/^##\s+/m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const title = (newline < 0 ? part : part.slice(0, newline)).trim();
    const section = NARRATIVE_SECTIONS.find((s) => s.toLowerCase() === title.toLowerCase());
    if (!section) throw new NarrativeReferenceError(`${where}: unknown section "## ${title}". Use ${NARRATIVE_SECTIONS.map((s) => `"## ${s}"`).join(', ')}.`);
    sections[section] = (newline < 0 ? '' : part.slice(newline + 1)).trim();
  }
  for (const required of ['Introduction', 'Discussion'] as const) {
    if (!sections[required]) throw new NarrativeReferenceError(`${where}: the "## ${required}" section is missing or empty. Fix: write it (numbers as {{references}}).`);
  }
  return sections;
}

/** Inline markdown (bold, italic, code) to Typst markup, escaping everything else. */
export function inlineMarkdownToTypst(text: string): string {
  const out: string[] = [];
  const pattern = /\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|`([^`]+)`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out.push(typstText(text.slice(last, match.index)));
    if (match[1] !== undefined) out.push(`*${typstText(match[1])}*`);
    else if (match[2] !== undefined) out.push(`_${typstText(match[2])}_`);
    else out.push(`#raw(${JSON.stringify(match[3])})`);
    last = match.index! + match[0].length;
  }
  out.push(typstText(text.slice(last)));
  return out.join('');
}

/** Block markdown (paragraphs, `-` lists with indented continuation lines) to Typst markup. */
export function markdownToTypst(markdown: string): string {
  const blocks: string[] = [];
  let paragraph: string[] = [];
  let item: string[] | null = null;
  const flushParagraph = () => { if (paragraph.length) blocks.push(inlineMarkdownToTypst(paragraph.join(' '))); paragraph = []; };
  const flushItem = () => { if (item) blocks.push(`- ${inlineMarkdownToTypst(item.join(' '))}`); item = null; };
  for (const raw of markdown.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*[-*]\s+/.test(line)) { flushParagraph(); flushItem(); item = [line.replace(/^\s*[-*]\s+/, '')]; continue; }
    if (line.trim() === '') { flushParagraph(); flushItem(); blocks.push(''); continue; }
    if (item && /^\s+/.test(raw)) { item.push(line.trim()); continue; }
    flushItem();
    paragraph.push(line.trim());
  }
  flushParagraph();
  flushItem();
  return blocks.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Plain words of a markdown text (for the speaker script), without markup. */
export function markdownToPlain(markdown: string): string {
  return markdown.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/\*([^*]+)\*/g, '$1').replace(/`([^`]+)`/g, '$1').replace(/^\s*[-*]\s+/gm, '').replace(/\s+/g, ' ').trim();
}

/** A hypothesis's verdict and interval in one phrase, for prose. */
export function verdictPhrase(h: HypothesisResult): string {
  if (h.estimate === null) return `${h.verdict} (${h.code})`;
  return `${h.verdict}: ${formatValue(h.estimate, h.unit, { signed: true })} ${h.unit}, ${formatConfidence(h.confidence)} CI ${formatInterval(h.lower, h.upper, h.unit)}`;
}
