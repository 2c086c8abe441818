/**
 * The 25-minute readout of a study: 16:9 slides (Typst, same figures as the paper) and a speaker script whose
 * per-slide minutes add up to the talk's length at a speaking rate between 110 and 160 words a minute. Slides:
 * question, design, the lock, hypotheses, analysis, results figures, verdict table, what is and is not shown,
 * post-hoc notes, discussion, next steps.
 */
import { HypotestError } from '../../harness/errors.ts';
import type { HypothesisResult } from '../../harness/index.ts';
import { dataAsRun, postHocNotes, settingsAsRun } from '../render/designAsRun.ts';
import { findingSentence } from '../render/writeup.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { cellMeans, type ReportFigure } from './figures.ts';
import { formatClaimThreshold, formatConfidence, formatInterval, formatValue } from '../../harness/figures/format.ts';
import { markdownToPlain, type Narrative } from './narrative.ts';
import { typstString, typstText as t } from './typst.ts';

/** The talk's length in minutes. */
export const TALK_MINUTES = 25;
/** Speaking rates a script must stay within, words per minute. */
export const WORDS_PER_MINUTE = { min: 110, max: 160 } as const;

/** The script cannot be timed within the speaking-rate bounds (too little or too much to say). */
export class ScriptTimingError extends HypotestError {}

/** Inputs of the slides and the script. */
export interface SlidesInput {
  file: VerdictsFile;
  figures: readonly ReportFigure[];
  narrative: Narrative | null;
  studyFolder: string;
}

/** One slide: its title, Typst body and what the speaker says. */
export interface Slide {
  title: string;
  body: string;
  script: string;
}

/** Words of a script (tokens with a letter or digit). */
export const words = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
const plain = (markdown: string) => markdownToPlain(markdown).replace(/\*\*/g, '');
const claimShort = (h: HypothesisResult) => h.claim.replace(/^Exploratory: /, '').replace(/\s*\([^)]*\)\s*$/, '');

/** A bullet list at `size`, items already Typst markup. */
export function bullets(items: string[], size = '15pt'): string {
  return `#text(size: ${size})[\n${items.map((i) => `- ${i}`).join('\n')}\n]`;
}

/** A slide body showing `figure` at `height` with its caption below. */
export function figureSlide(figure: ReportFigure | undefined, height = '78%'): string {
  if (!figure) return t('(figure not available: no records)');
  return `#align(center, text(font: "Source Sans 3", image(${typstString('/figures/' + figure.file)}, height: ${height})))\n#text(size: 10pt, fill: luma(70))[${t(figure.caption)}]`;
}

function curveSummary(figure: ReportFigure): string {
  const rows = (figure.spec as unknown as { data: { values: { cell: string; epoch: number; mean: number }[] } }).data.values;
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  if (epochs.length < 2) return '';
  const first = rows.filter((r) => r.epoch === epochs[0]);
  const last = rows.filter((r) => r.epoch === epochs[epochs.length - 1]);
  const mean = (list: { mean: number }[]) => list.reduce((a, r) => a + r.mean, 0) / list.length;
  const cells = [...new Set(rows.map((r) => r.cell))];
  const peakedEarly = cells.filter((cell) => {
    const own = rows.filter((r) => r.cell === cell);
    const peak = own.reduce((a, r) => (r.mean > a.mean ? r : a));
    return peak.epoch < epochs[epochs.length - 1];
  });
  return `Averaged over all cells, validation accuracy rose from ${formatValue(mean(first), '%')} percent after epoch ${epochs[0]} to ${formatValue(mean(last), '%')} percent after epoch ${epochs[epochs.length - 1]}. In ${peakedEarly.length} of ${cells.length} cells the mean curve peaked before the last epoch, which is worth knowing when we read a final-epoch metric.`;
}

/** The items of a markdown list (continuation lines joined), or the whole text as one item. */
function listItems(markdown: string): string[] {
  const items = markdown.split(/^\s*[-*]\s+/m).map((part) => part.replace(/\s+/g, ' ').trim()).filter(Boolean);
  return /^\s*[-*]\s+/m.test(markdown) ? items : [markdown];
}

/** The text cut at a word boundary to at most `max` characters, with an ellipsis when cut. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max).replace(/\s+\S*$/, '')}…`;
}

/** The slides with their scripts, in order. */
export function buildSlides(input: SlidesInput): Slide[] {
  const { file, figures, narrative } = input;
  const { design, study } = file;
  const registered = file.profile === 'registered';
  const split = registered ? 'test' : 'validation';
  const runs = design.cells.length * design.seeds.length;
  const fig = (name: string) => figures.find((f) => f.file === name);
  const confirmatory = file.hypotheses.filter((h) => h.confirmatory);
  const exploratory = file.hypotheses.filter((h) => !h.confirmatory);
  const budget = Object.entries(design.budget).map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}`).join(', ');
  const factorText = design.factors ? Object.entries(design.factors).map(([f, l]) => `${f} ${l.join(' / ')}`).join(' × ') : design.cells.join(', ');
  const slides: Slide[] = [];

  slides.push({
    title: study.title,
    body: `#v(1fr)\n#text(size: 26pt, weight: "bold")[${t(study.title)}]\n#v(0.6em)\n#text(size: 16pt)[25-minute readout · ${runs} runs · ${t(file.label)}]\n#v(0.4em)\n#text(size: 13pt, fill: luma(70))[Lock ${study.lockHash ? `#raw(${typstString(study.lockHash.slice(0, 12))})` : 'none'}${study.lockedAt ? ` · locked ${t(study.lockedAt.slice(0, 10))}` : ''} · generated by hypotest from the run records]\n#v(1fr)`,
    script: `Thank you for coming. This is the readout of the ${study.name} study: ${study.title}. Every number on these slides, in the paper and in this script comes from the stored run records through the same generator; none was typed by hand, so if the records change, the talk changes with them. I will take about twenty-five minutes. First the question and why we asked it, then the design and what we locked before anyone looked at the ${split} data, then the results hypothesis by hypothesis, and finally what the data show, what they do not show, and what I propose we do next. Please keep questions about individual numbers for the verdict table, where they are all in one place.`,
  });

  slides.push({
    title: 'The question',
    body: `#text(size: 17pt)[${t(study.question)}]`,
    script: `The question was fixed before the study ran. ${study.question} ${narrative?.Introduction ? plain(narrative.Introduction) : ''}`,
  });

  slides.push({
    title: 'Design, as run',
    body: bullets([
      t(`Data: ${shorten(dataAsRun(file), 120)}`),
      t(`${design.factors ? 'Full factorial' : 'Arms'}: ${factorText} = ${design.cells.length} ${design.factors ? 'cells' : 'arms'}`),
      t(`Seeds ${design.seeds.join(', ')} in every cell: ${runs} runs`),
      t(`Budget (${file.profile} profile): ${budget}`),
      t(`Metric: ${design.metrics.primary} on the ${registered ? 'sealed test' : 'validation'} split, ${design.metrics.readAt === 'final-epoch' ? 'final epoch' : 'best validation epoch'}`),
    ], '15pt'),
    script: `Here is the design as it was run, not as it was planned on a whiteboard. ${dataAsRun(file)} The ${design.factors ? 'factors were' : 'arms were'} ${factorText}, which gives ${design.cells.length} ${design.factors ? 'cells' : 'arms'}. Every cell ran the same ${design.seeds.length} seeds, ${design.seeds.join(', ')}, so there are ${runs} runs in total. ${settingsAsRun(file)} These settings are the same in every cell, so any difference between cells comes from the factors alone. ${design.notes.filter((n) => !/^Pilot/i.test(n)).map(plain).join(' ')}`,
  });

  slides.push({
    title: 'What was locked before the results',
    body: bullets([
      t(`Pre-registration = code: ${input.studyFolder}study.ts, hypotheses.exp.ts, cells/*.exp.ts`),
      `Lock hash ${study.lockHash ? `#raw(${typstString(study.lockHash.slice(0, 16))})` : 'none'}${study.lockedAt ? `, ${t(study.lockedAt)}` : ''}`,
      `Commit at lock ${study.lockCommit ? `#raw(${typstString(study.lockCommit.slice(0, 10))})` : '—'}, committed on its own`,
      t(`Sealed test split opened only under the lock; every opening audited`),
      t(`Deviations recorded: ${file.deviations.length === 0 ? 'none' : file.deviations.length}`),
    ], '14pt'),
    script: `Before any ${split} number existed, the pre-registration was locked. In hypotest the pre-registration is the code itself: the study file with the data, factors, seeds, budget and analysis plan; the hypotheses file, where each claim is written as an assertion with a direction and a smallest effect size of interest; and one file per cell. The lock command hashed all of these, plus every project module they import and the fingerprint of the dataset, into a lock file${study.lockHash ? ` whose hash begins ${study.lockHash.slice(0, 8).split('').join(' ')}` : ''}. It was committed on its own${study.lockedAt ? ` on ${new Date(study.lockedAt).toUTCString().slice(0, 16)}` : ''}, before the first sealed evaluation. The experiment code never receives the ${registered ? 'test' : 'held-out'} split; the harness evaluates each frozen model itself and writes every opening to an audit log. ${file.deviations.length === 0 ? 'No deviation from the pre-registration was recorded, so every result you will see was produced under the locked files.' : `${file.deviations.length} deviations were recorded, and I will come back to them.`} ${design.notes.filter((n) => /^Pilot/i.test(n)).map(plain).join(' ')}`,
  });

  slides.push({
    title: 'Hypotheses and their SESOIs',
    body: `#text(size: 14pt)[#table(columns: (auto, 1fr, auto, auto), stroke: none, inset: 5pt, table.hline(), [*id*], [*claim*], [*claimed*], [*family*], table.hline(),\n${file.hypotheses.map((h) => `[${t(h.id)}], [${t(claimShort(h))}], [${t(formatClaimThreshold(h.direction, h.sesoi, h.unit))}], [${t(h.family)}]`).join(',\n')}, table.hline())]`,
    script: `We registered ${confirmatory.length} confirmatory and ${exploratory.length} exploratory hypotheses. Each one says which way the effect goes and how large it must be to matter: the smallest effect size of interest, or SESOI. ${confirmatory.map((h) => `${h.id}: ${claimShort(h)}, claimed ${formatClaimThreshold(h.direction, h.sesoi, h.unit).replace('pp', 'percentage points')}. The reason for that size: ${h.sesoiReason}`).join(' ')} The exploratory ones are leads rather than claims: ${exploratory.map((h) => `${h.id}, ${claimShort(h)}`).join('; ')}.`,
  });

  slides.push({
    title: 'How a verdict is decided',
    body: bullets([
      t(`Contrasts of cell means in the full-factorial model${design.analysis.seedAsBlock ? ', seed as a block' : ''}; t intervals on the residual df`),
      t(`Confirmatory family: Bonferroni-adjusted intervals decide; Holm p-values beside`),
      `Claim "effect > _δ_": supported if _L_ > _δ_, refuted if _U_ < _δ_, else inconclusive`,
      `Equivalence: supported if −_δ_ < _L_ and _U_ < _δ_`,
      t(`Inconclusive verdicts come with the design's minimum detectable effect (MDE)`),
    ], '14pt'),
    script: `A verdict is mechanical once the interval exists. ${design.analysis.model === 'factorial' ? `Each hypothesis is a contrast of cell means in the full-factorial model, with the residual variance pooled over all cells${design.analysis.seedAsBlock ? ` and the seed entered as a block, because ${design.analysis.seedBlockReason}` : ''}.` : 'Each hypothesis is a seed-matched paired comparison.'} For the confirmatory family the interval that decides is Bonferroni-adjusted, ${formatConfidence(confirmatory[0]?.confidence ?? design.analysis.confidence)} here, and Holm-adjusted p-values are reported next to it. A directional claim is supported only when the whole interval lies beyond the SESOI, refuted when the whole interval lies short of it, so that the data exclude every effect of the claimed size, and inconclusive when the interval contains the SESOI. An equivalence claim is supported when the whole interval fits inside plus or minus the SESOI. Whenever a verdict is inconclusive we also show the minimum detectable effect of the design, so you can see whether the study could have decided at all.`,
  });

  slides.push({
    title: 'Every hypothesis at a glance',
    body: figureSlide(fig('forest.svg'), '74%'),
    script: `This is the whole result on one picture. Each row is a hypothesis: the dot is the estimate, the bar is the deciding interval, the grey band is minus to plus the SESOI, and the dashed tick is the threshold a directional claim has to clear. ${file.hypotheses.map((h) => plain(findingSentence(h))).join(' ')}`,
  });

  slides.push({
    title: 'Verdict table',
    body: `#text(size: 14pt)[#table(columns: (auto, auto, auto, auto, auto), stroke: none, inset: 5pt, align: (left, right, center, left, left), table.hline(), [*id*], [*estimate*], [*deciding interval*], [*claimed*], [*verdict*], table.hline(),\n${file.hypotheses.map((h) => `[${t(h.id)}], [${t(`${formatValue(h.estimate, h.unit, { signed: true })} ${h.unit}`)}], [${t(`${formatInterval(h.lower, h.upper, h.unit)} (${formatConfidence(h.confidence)})`)}], [${t(formatClaimThreshold(h.direction, h.sesoi, h.unit))}], [*${t(h.verdict)}*${h.verdict === 'inconclusive' && h.minimumDetectableEffect !== null ? t(` (MDE ${formatValue(h.minimumDetectableEffect, h.unit)})`) : ''}]`).join(',\n')}, table.hline())]`,
    script: `Here are the same numbers as a table, for the record. ${['supported', 'inconclusive', 'refuted'].map((v) => { const list = file.hypotheses.filter((h) => h.verdict === v); return list.length ? `${v[0].toUpperCase()}${v.slice(1)}: ${list.map((h) => h.id).join(', ')}.` : ''; }).join(' ')} ${file.hypotheses.filter((h) => h.verdict === 'inconclusive' && h.minimumDetectableEffect !== null).map((h) => `For ${h.id} the design could detect about ${formatValue(h.minimumDetectableEffect, h.unit)} ${h.unit === 'pp' ? 'percentage points' : h.unit} with ${Math.round(h.power * 100)} percent power, ${h.minimumDetectableEffect! > h.sesoi ? 'more than the SESOI, so the study was not sensitive enough for this claim' : 'less than the SESOI, so the design was adequate and the interval simply straddles the threshold'}.`).join(' ')}`,
  });

  const cells = cellMeans(file).sort((a, b) => b.mean - a.mean);
  if (cells.length > 0) {
    const best = cells[0];
    const worst = cells[cells.length - 1];
    slides.push({
      title: 'Cell means',
      body: figureSlide(fig('cell-means.svg')),
      script: `This figure shows every cell: the mean ${split} accuracy over its ${design.seeds.length} seeds with a ninety-five percent interval over those seeds. The best cell is ${best.cell} at ${formatValue(best.mean, '%')} percent, the worst is ${worst.cell} at ${formatValue(worst.mean, '%')} percent, a spread of ${formatValue(best.mean - worst.mean, 'pp')} points across the whole design. Notice how wide the per-cell intervals are with only ${design.seeds.length} seeds: that is why the hypotheses use the pooled model, which borrows the residual variance from all cells at once. Read these bars as a description of each cell, not as evidence for or against any claim.`,
    });
  }
  if (fig('interaction.svg')) {
    const [along, by] = Object.keys(design.factors ?? {});
    slides.push({
      title: `${along} × ${by}`,
      body: figureSlide(fig('interaction.svg')),
      script: `Here the same data are averaged over the remaining factors, to show how ${along} and ${by} combine. Each line is one level of ${by}; the faint points are the cell means that enter each average. Parallel lines would mean no interaction; lines that converge or cross mean that the effect of ${by} depends on ${along}. ${file.hypotheses.filter((h) => /larger at|interaction/i.test(h.claim)).map((h) => `The registered interaction claim, ${h.id}, came out ${h.verdict}: ${formatValue(h.estimate, h.unit, { signed: true })} ${h.unit} with the interval ${formatInterval(h.lower, h.upper, h.unit)}.`).join(' ')}`,
    });
  }
  if (fig('learning-curves.svg')) {
    slides.push({
      title: 'Learning curves',
      body: figureSlide(fig('learning-curves.svg')),
      script: `These are the learning curves stored in every run record: validation accuracy after each epoch, the mean over seeds as a line and the range over seeds as a band. They answer a question a reviewer always asks, namely whether the budget was long enough and whether any configuration was still climbing or already over-fitting when training stopped. ${curveSummary(fig('learning-curves.svg')!)} The metric was read at the ${design.metrics.readAt === 'final-epoch' ? 'final epoch, without early stopping or checkpoint selection' : 'best validation epoch'}, as registered.`,
    });
  }

  const notShown = [
    `Anything beyond this design: one dataset, one budget, ${design.seeds.length} seeds per cell.`,
    ...(file.hypotheses.some((h) => h.verdict === 'inconclusive') ? [`That the inconclusive claims (${file.hypotheses.filter((h) => h.verdict === 'inconclusive').map((h) => h.id).join(', ')}) are false: no decision is not a negative result.`] : []),
    ...(file.hypotheses.some((h) => h.verdict === 'supported' && h.direction === 'equivalent') ? [`That the equivalent factors never matter: only that here they stay within the margin.`] : []),
  ];
  slides.push({
    title: 'What is shown, and what is not',
    body: `#grid(columns: (1fr, 1fr), gutter: 1.2em, [#text(size: 15pt, weight: "bold")[Shown]\n${bullets(file.hypotheses.filter((h) => h.verdict === 'supported' || h.verdict === 'refuted').map((h) => t(`${h.id} ${h.verdict}: ${claimShort(h)}`)), '15pt')}], [#text(size: 15pt, weight: "bold")[Not shown]\n${bullets(notShown.map(t), '15pt')}])`,
    script: `Let me be explicit about what these data establish. ${file.hypotheses.filter((h) => h.verdict === 'supported' || h.verdict === 'refuted').map((h) => `${h.id} is ${h.verdict}: ${claimShort(h)}.`).join(' ')} And what they do not establish. ${notShown.join(' ')} An inconclusive verdict tells us the interval still contains effects both above and below the threshold we cared about; it should be reported exactly like a positive result, with its interval, and not quietly dropped.`,
  });

  const postHoc = postHocNotes(file);
  if (postHoc || file.deviations.length > 0) {
    slides.push({
      title: 'Deviations and post-hoc notes',
      body: bullets([t(`Deviations: ${file.deviations.length === 0 ? 'none recorded' : file.deviations.map((d) => `${d.file}: ${d.what}`).join('; ')}`), t('Post-hoc notes: written after the results, outside the lock; no verdict depends on them'), ...(postHoc ? (postHoc.match(/\*\*([^*]+)\*\*/g) ?? []).map((b) => t(b.replace(/\*\*/g, '').replace(/[\s:.]+$/, ''))) : [])], '13pt'),
      script: `Two kinds of material sit apart from the registered analysis. Deviations: ${file.deviations.length === 0 ? 'none were recorded.' : file.deviations.map((d) => `${d.file}, ${d.what}, because ${d.why}.`).join(' ')} Post-hoc notes were written after we saw the results; they are outside the lock and no verdict depends on them. ${postHoc ? plain(postHoc) : ''}`,
    });
  }

  slides.push({
    title: 'Discussion',
    body: bullets(file.hypotheses.filter((h) => h.verdict !== 'supported').map((h) => t(`${h.id} ${h.verdict}: ${formatValue(h.estimate, h.unit, { signed: true })} ${h.unit} ${formatInterval(h.lower, h.upper, h.unit)}`)), '14pt'),
    script: narrative?.Discussion ? plain(narrative.Discussion) : file.hypotheses.filter((h) => h.verdict !== 'supported').map((h) => plain(findingSentence(h))).join(' '),
  });

  slides.push({
    title: 'Next steps',
    body: narrative?.['Next steps'] ? bullets(listItems(narrative['Next steps']).map((item) => t(shorten(plain(item).replace(/:.*$/, ''), 95))), '15pt') : bullets([t('Decide the inconclusive claims with a design sized by their MDE')]),
    script: `${narrative?.['Next steps'] ? plain(narrative['Next steps']) : 'The inconclusive claims need a design sized by their minimum detectable effects.'} Thank you; I am happy to take questions, and the paper, the figures and both CSV exports are in the reports folder of the repository.`,
  });
  return slides;
}

/**
 * Minutes per slide that sum to {@link TALK_MINUTES}: proportional to each script's words, in quarter minutes.
 *
 * @throws {ScriptTimingError} when a slide's rate falls outside 110 to 160 words a minute (unless `strict: false`).
 */
export function timeSlides(slides: readonly Slide[], options: { strict?: boolean } = {}): number[] {
  const counts = slides.map((s) => words(s.script));
  const total = counts.reduce((a, b) => a + b, 0);
  const quarters = counts.map((c) => Math.max(1, Math.round((c / total) * TALK_MINUTES * 4)));
  let diff = TALK_MINUTES * 4 - quarters.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    // Give (or take) a quarter where the rate after the change stays nearest the whole talk's rate.
    const target = total / TALK_MINUTES;
    const step = Math.sign(diff);
    let best = -1;
    for (let i = 0; i < quarters.length; i++) {
      if (quarters[i] + step < 1) continue;
      const after = Math.abs(counts[i] / ((quarters[i] + step) / 4) - target);
      if (best < 0 || after < Math.abs(counts[best] / ((quarters[best] + step) / 4) - target)) best = i;
    }
    quarters[best] += step;
    diff -= step;
  }
  const minutes = quarters.map((q) => q / 4);
  minutes.forEach((m, i) => {
    const rate = counts[i] / m;
    if ((options.strict ?? true) && (rate < WORDS_PER_MINUTE.min || rate > WORDS_PER_MINUTE.max)) {
      throw new ScriptTimingError(`slide ${i + 1} ("${slides[i].title}"): ${counts[i]} words in ${m} min is ${Math.round(rate)} words a minute, outside ${WORDS_PER_MINUTE.min}–${WORDS_PER_MINUTE.max} (the whole script has ${total} words for ${TALK_MINUTES} min). Fix: lengthen or shorten the narrative's sections.`);
    }
  });
  return minutes;
}

/** The speaker script, markdown: one section per slide with its minutes and word count. */
export function slidesScript(input: SlidesInput, options: { strict?: boolean } = {}): string {
  const slides = buildSlides(input);
  return scriptDocument(input.file, slides, timeSlides(slides, options));
}

/** The speaker script of any slide list, timed by `minutes` (see {@link timeSlides}): markdown, one section per slide. */
export function scriptDocument(file: VerdictsFile, slides: readonly Slide[], minutes: readonly number[]): string {
  const total = slides.reduce((a, s) => a + words(s.script), 0);
  return [
    `# ${file.study.title}: speaker script`, '',
    `A ${TALK_MINUTES}-minute readout of \`slides.pdf\` (${slides.length} slides, ${total} words, about ${Math.round(total / TALK_MINUTES)} words a minute). Generated from the records; do not edit by hand.`, '',
    ...slides.flatMap((s, i) => [`## Slide ${i + 1}: ${s.title} (${minutes[i]} min, ${words(s.script)} words)`, '', s.script.replace(/\s+/g, ' ').trim(), '']),
  ].join('\n');
}

/**
 * The slides' Typst source (16:9, 10 × 5.625 in), figures referenced as `/figures/<file>`.
 */
export function slidesSource(input: SlidesInput, options: { strict?: boolean } = {}): string {
  const slides = buildSlides(input);
  return slidesDocument(input.file, slides, timeSlides(slides, options));
}

/** The Typst source of any slide list (16:9, 10 × 5.625 in): a title page, then one page per slide with its title and minutes. */
export function slidesDocument(file: VerdictsFile, slides: readonly Slide[], minutes: readonly number[]): string {
  const head = `#set document(title: ${typstString(`${file.study.title}: readout`)}, author: "hypotest")
#set page(width: 10in, height: 5.625in, margin: (x: 0.5in, top: 0.45in, bottom: 0.4in),
  footer: context [#set text(size: 9pt, fill: luma(110)); ${t(file.study.name)} readout #h(1fr) #counter(page).display() / ${slides.length}])
#set text(font: "Source Sans 3", size: 16pt, fallback: false)
#set par(justify: false, leading: 0.5em)
#show raw: set text(font: "Source Code Pro", size: 0.85em)
#set list(spacing: 0.75em)
`;
  return head + slides.map((s, i) => `${i > 0 ? '#pagebreak()\n' : ''}${i > 0 ? `#text(size: 22pt, weight: "bold")[${t(s.title)}] #h(1fr) #text(size: 10pt, fill: luma(120))[${minutes[i]} min]\n#v(0.2em)\n` : ''}${s.body}\n`).join('\n');
}
