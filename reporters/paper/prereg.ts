/**
 * The pre-registration as a document (`experiments/<study>/prereg.pdf`, written by `npx hypotest lock`), laid out
 * the way OSF renders a registration: question, design, hypotheses with SESOIs and reasons, analysis plan, the
 * pilot's estimate of the design's sensitivity, and the lock. Reviewers of the lock commit read it beside the code.
 */
import type { SensitivityFile, VerdictsFile } from '../render/verdictTable.ts';
import { formatClaimThreshold, formatConfidence, formatValue } from '../../harness/figures/format.ts';
import { markdownToTypst } from './narrative.ts';
import { compilePdf } from './typst.ts';
import { typstString, typstText as t } from './typst.ts';

/** One registered hypothesis, as `hypotheses.exp.ts` declares it. */
export interface PreregHypothesis {
  id: string;
  claim: string;
  /** The effect in words (the effect helper's label). */
  effect: string;
  metric: string;
  unit: string;
  /** The sealed split(s) it is judged on, when the hypothesis names one or is a shift drop (absent: the test split). */
  split?: string;
  direction: 'greater' | 'less' | 'equivalent';
  sesoi: number;
  sesoiReason: string;
  family: string;
}

/** Everything the registration document shows. */
export interface PreregInput {
  study: { name: string; title: string; question: string };
  design: VerdictsFile['design'];
  hypotheses: readonly PreregHypothesis[];
  /** `reports/<study>/pilot/sensitivity.json`, when the study ran a pilot. */
  sensitivity: SensitivityFile | null;
  lock: { hash: string; lockedAt: string; gitCommit: string | null } | null;
  studyFolder: string;
}

/** The section headings of the registration document, in order. */
export const PREREG_SECTIONS = ['Question', 'Design', 'Hypotheses', 'Analysis plan', 'Design sensitivity (pilot)', 'Lock'] as const;

/** The registration document's Typst source. */
export function preregSource(input: PreregInput): string {
  const { study, design, hypotheses, sensitivity, lock } = input;
  const out: string[] = [`#set document(title: ${typstString(`${study.title}: pre-registration`)}, author: "hypotest")
#set page(paper: "us-letter", margin: (x: 0.9in, y: 0.8in), numbering: "1 / 1")
#set text(font: "Source Serif 4", size: 10pt, lang: "en", fallback: false)
#set par(justify: true, leading: 0.58em)
#set heading(numbering: "1.")
#show heading: set text(font: "Source Sans 3", weight: "bold", size: 11.5pt)
#show raw: set text(font: "Source Code Pro", size: 8.5pt)
#set table(stroke: none, inset: (x: 4pt, y: 3pt))
#show table: set text(size: 8.8pt)`];
  out.push(`#text(font: "Source Sans 3", size: 9pt, fill: luma(90))[PRE-REGISTRATION · study ${t(study.name)} · ${lock ? `locked ${t(lock.lockedAt)}` : 'not yet locked'}]\n#v(0.2em)\n#text(font: "Source Sans 3", size: 16pt, weight: "bold")[${t(study.title)}]`);
  out.push('= Question', t(study.question));
  out.push('= Design');
  const rows: [string, string][] = [
    ['Data', t(design.dataset.description)],
    [design.factors ? 'Factors' : 'Arms', t(design.factors ? Object.entries(design.factors).map(([f, l]) => `${f}: ${l.join(', ')}`).join('; ') + ` (full factorial, ${design.cells.length} cells)` : design.cells.join(', '))],
    ['Seeds', t(`${design.seeds.join(', ')} in every cell (${design.cells.length * design.seeds.length} runs)`)],
    ['Budget', t(Object.entries(design.budget).map(([k, v]) => `${k} ${v}`).join(', '))],
    ['Metric', t(`${design.metrics.primary} on the sealed test split, read at the ${design.metrics.readAt === 'final-epoch' ? 'final epoch' : 'best validation epoch'}${design.metrics.secondary?.length ? `; secondary ${design.metrics.secondary.join(', ')}` : ''}${design.metrics.eceBins !== undefined ? `; ECE with ${design.metrics.eceBins} equal-width bins` : ''}`)],
    ['Diverged runs', t(`${design.diverged.rule}: ${design.diverged.reason}`)],
  ];
  out.push(`#table(columns: (auto, 1fr), ${rows.map(([k, v]) => `[*${k}*], [${v}]`).join(', ')})`);
  if (design.notes.length) out.push(design.notes.map((n) => `- ${markdownToTypst(n)}`).join('\n'));
  out.push('= Hypotheses');
  out.push(hypotheses.map((h) => `#block(breakable: false, above: 0.9em)[*${t(h.id)}* (${t(h.family)}) #h(0.4em) ${t(h.claim)} \\
  Effect: ${t(h.effect)}; metric ${t(h.metric)}${h.split ? t(` on the ${h.split} split${h.split.includes(' and ') ? 's' : ''}`) : ''}; claimed ${t(formatClaimThreshold(h.direction, h.sesoi, h.unit))}. \\
  _Why this SESOI:_ ${t(h.sesoiReason)}]`).join('\n'));
  out.push('= Analysis plan');
  const a = design.analysis;
  out.push(t(`${a.model === 'factorial' ? 'Contrasts of cell means in the full-factorial model with pooled residual variance; t intervals on the residual degrees of freedom' : 'Seed-matched paired t intervals between arms'}${a.seedAsBlock ? `; seed as an additive block (${a.seedBlockReason})` : ''}. Confidence ${formatConfidence(a.confidence)}, power ${Math.round((a.power ?? 0.8) * 100)}% for minimum detectable effects.`));
  out.push(Object.entries(a.families).map(([name, f]) => `- *${t(name)}*: ${t(f.correction === 'bonferroni' ? 'confirmatory; verdicts from Bonferroni-adjusted intervals, Holm-adjusted p-values beside' : 'exploratory; Benjamini-Hochberg-adjusted p-values, labelled exploratory')}${f.description ? t(` (${f.description})`) : ''}`).join('\n'));
  out.push(t('Verdicts: a directional claim is supported when the deciding interval lies wholly beyond the SESOI in the predicted direction, refuted when it lies wholly short of it, inconclusive otherwise; an equivalence claim is supported when the interval lies inside (−SESOI, +SESOI), refuted when wholly outside, inconclusive otherwise. Every inconclusive verdict is reported with the design\'s minimum detectable effect.'));
  out.push('= Design sensitivity (pilot)');
  if (sensitivity) {
    out.push(t(`Validation only, cells ${sensitivity.pilot.cells.join(', ')}, seeds ${sensitivity.pilot.seeds.join(', ')}. ${sensitivity.pilot.reason}`));
    out.push(`#table(columns: (auto, auto, auto, auto, auto, 1fr), table.hline(), [*id*], [*pilot σ*], [*half-width*], [*MDE*], [*SESOI*], [*assessment*], table.hline(),
${sensitivity.hypotheses.map((h) => `[${t(h.id)}], [${t(formatValue(h.sigma, h.unit, { decimals: 3 }))}], [${t(h.halfWidth === null ? '—' : `±${formatValue(h.halfWidth, h.unit)} (${formatConfidence(h.confidence)})`)}], [${t(formatValue(h.minimumDetectableEffect, h.unit))}], [${t(`${h.sesoi} ${h.unit}`)}], [${t(h.assessment)}]`).join(',\n')}, table.hline())`);
  } else out.push('No pilot was run.');
  out.push('= Lock');
  out.push(lock
    ? `#table(columns: (auto, 1fr), [*lock file*], [#raw(${typstString(`${input.studyFolder}prereg.lock.json`)})], [*sha256*], [#raw(${typstString(lock.hash)})], [*locked at*], [${t(lock.lockedAt)}], [*git commit*], [${lock.gitCommit ? `#raw(${typstString(lock.gitCommit)})` : '—'}])`
    : t('Not locked yet: run npx hypotest lock to lock it.'));
  out.push(t(`The registration is the code in ${input.studyFolder} (study.ts, hypotheses.exp.ts, cells/*.exp.ts); this document renders it and is not itself hashed.`));
  return out.join('\n\n') + '\n';
}

/** The registration document as PDF bytes, dated at the lock (byte-reproducible). */
export function preregPdf(input: PreregInput): Buffer {
  return compilePdf(preregSource(input), { files: {}, creationTimestamp: input.lock ? Math.floor(Date.parse(input.lock.lockedAt) / 1000) : 0 });
}
