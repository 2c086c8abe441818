/**
 * The paper-style report of a study as Typst source: title, abstract, introduction (narrative), the
 * pre-registration, methods, results with figures and tables, deviations and post-hoc notes kept apart, discussion
 * of every claim the data did not support, limitations, references. Generated from verdicts.json (and the figure
 * list); the researcher's prose comes from the narrative file with its references already filled.
 */
import type { HypothesisResult } from '../../harness/index.ts';
import { dataAsRun, postHocNotes, settingsAsRun } from '../render/designAsRun.ts';
import { findingSentence } from '../render/writeup.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import type { ReportFigure } from './figures.ts';
import { formatClaimThreshold, formatConfidence, formatInterval, formatP, formatValue } from '../../harness/figures/format.ts';
import { markdownToTypst, type Narrative } from './narrative.ts';
import { typstString, typstText as t } from './typst.ts';

/** The section headings of the paper, in order (tests look for each in the PDF's text). */
export const PAPER_SECTIONS = ['Abstract', 'Introduction', 'Pre-registration', 'Methods', 'Results', 'Deviations and post-hoc notes', 'Discussion', 'Limitations', 'References'] as const;

export const REFERENCES = [
  'Xiao, H., Rasul, K., Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms. arXiv:1708.07747.',
  'Loshchilov, I., Hutter, F. (2019). Decoupled weight decay regularization. ICLR 2019.',
  'Hendrycks, D., Gimpel, K. (2016). Gaussian error linear units (GELUs). arXiv:1606.08415.',
  'Lakens, D., Scheel, A. M., Isager, P. M. (2018). Equivalence testing for psychological research: a tutorial. Advances in Methods and Practices in Psychological Science 1(2), 259–269.',
  'Murphy, K. R., Myors, B. (1999). Testing the hypothesis that treatments have negligible effects: minimum-effect tests in the general linear model. Journal of Applied Psychology 84(2), 234–248.',
  'Nosek, B. A., Ebersole, C. R., DeHaven, A. C., Mellor, D. T. (2018). The preregistration revolution. PNAS 115(11), 2600–2606.',
  'Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of Statistics 6(2), 65–70.',
  'Hesterberg, T. C. (2015). What teachers should know about the bootstrap. The American Statistician 69(4), 371–386.',
  'Okabe, M., Ito, K. (2008). Color universal design (CUD): how to make figures and presentations that are friendly to colorblind people. J*Fly.',
];

/** Everything the paper is made of. */
export interface PaperInput {
  file: VerdictsFile;
  figures: readonly ReportFigure[];
  narrative: Narrative | null;
  /** Where the study's pre-registration lives, e.g. `experiments/ablation/`. */
  studyFolder: string;
}

const PREAMBLE = (title: string) => `#set document(title: ${typstString(title)}, author: "hypotest")
#set page(paper: "us-letter", margin: (x: 0.9in, top: 0.8in, bottom: 0.8in), numbering: "1",
  header: context { if counter(page).get().first() > 1 [#set text(size: 8pt, fill: luma(90), font: "Source Sans 3"); ${t(title)} #h(1fr) hypotest report] })
#set text(font: "Source Serif 4", size: 9.6pt, lang: "en", fallback: false)
#set par(justify: true, leading: 0.58em, spacing: 0.9em)
#set heading(numbering: "1.1")
#show heading: set text(font: "Source Sans 3", weight: "bold")
#show heading.where(level: 1): set text(size: 12pt)
#show heading.where(level: 2): set text(size: 10.5pt)
#show heading: it => block(above: 1.1em, below: 0.6em, it)
#show raw: set text(font: "Source Code Pro", size: 8pt)
#show figure.caption: set text(size: 9pt)
#show figure.caption: set par(justify: true)
#set figure(gap: 0.6em)
#show figure: set block(spacing: 1.1em)
#set table(stroke: none, inset: (x: 4pt, y: 2.6pt))
#show table: set text(size: 8.6pt)
#set list(indent: 0.6em, spacing: 0.55em)
`;

/** A figure at its natural size (1 SVG px = 1 pt, so its type prints at the size it was laid out for), at most the text width. */
function figureBlock(figure: ReportFigure, label: string, placement = 'none'): string {
  const width = figure.width ? `${Math.min(figure.width, 468).toFixed(1)}pt` : '100%';
  return `#figure(placement: ${placement}, text(font: "Source Sans 3", image(${typstString('/figures/' + figure.file)}, width: ${width})), caption: [${t(figure.caption)}]) <${label}>`;
}

function tableBlock(columns: string, align: string, header: string[], rows: string[][], caption: string, label: string, placement = 'none'): string {
  const cell = (text: string) => `[${text}]`;
  return `#figure(placement: ${placement}, kind: table, caption: [${caption}], table(columns: ${columns}, align: ${align},
  table.hline(stroke: 0.8pt), ${header.map((h) => cell(`*${h}*`)).join(', ')}, table.hline(stroke: 0.5pt),
  ${rows.map((r) => r.map(cell).join(', ')).join(',\n  ')},
  table.hline(stroke: 0.8pt))) <${label}>`;
}

function mono(text: string): string {
  return `#raw(${typstString(text)})`;
}

function budgetText(file: VerdictsFile): string {
  const b = file.design.budget as Record<string, unknown>;
  const parts = Object.entries(b).map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}`);
  return parts.join(', ');
}

function claimRows(file: VerdictsFile): string[][] {
  return file.hypotheses.map((h) => [
    `*${t(h.id)}*`, t(h.claim.replace(/^Exploratory: /, '').replace(/\s*\((by more than|difference within)[^)]*\)/, '')), `${formatValue(h.estimate, h.unit, { signed: true })}`, `${formatInterval(h.lower, h.upper, h.unit)}`,
    formatConfidence(h.confidence), t(formatClaimThreshold(h.direction, h.sesoi, h.unit)), `*${h.verdict}*`, formatP(h.adjustedPValue),
  ]);
}

function abstract(file: VerdictsFile): string {
  const { design } = file;
  const runs = design.cells.length * design.seeds.length;
  const factors = design.factors ? Object.entries(design.factors).map(([f, l]) => `${f} (${l.join(', ')})`).join(' × ') : design.cells.join(', ');
  const confirmatory = file.hypotheses.filter((h) => h.confirmatory);
  const exploratory = file.hypotheses.filter((h) => !h.confirmatory);
  const counts = (list: HypothesisResult[]) => ['supported', 'inconclusive', 'refuted', 'incomplete', 'error'].map((v) => [v, list.filter((h) => h.verdict === v).length] as const).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ');
  const sentences = [
    file.study.question,
    `We ran a ${design.factors ? 'full-factorial design' : 'comparison'} of ${factors}: ${design.cells.length} ${design.factors ? 'cells' : 'arms'} × ${design.seeds.length} seeds = ${runs} runs, ${file.profile === 'registered' ? `with ${confirmatory.length} confirmatory and ${exploratory.length} exploratory hypotheses, each with a smallest effect size of interest (SESOI), registered and locked before the sealed test split was opened` : `under the ${file.profile} profile (validation data only; not a registered result)`}.`,
    `Confirmatory verdicts: ${counts(confirmatory) || 'none'}; exploratory: ${counts(exploratory) || 'none'}.`,
    ...confirmatory.map((h) => `${h.id} (${h.claim.replace(/\s*\((by more than|difference within)[^)]*\)/, '')}): ${h.verdict}, ${formatValue(h.estimate, h.unit, { signed: true })} ${h.unit} ${formatInterval(h.lower, h.upper, h.unit)}.`),
  ];
  return t(sentences.join(' '));
}

/**
 * The paper's Typst source. Figures are referenced as `/figures/<file>`; compile with those files mapped.
 *
 * @example
 * const source = paperSource({ file, figures, narrative, studyFolder: 'experiments/ablation/' });
 */
export function paperSource(input: PaperInput): string {
  const { file, figures, narrative } = input;
  const { design, study, summary } = file;
  const registered = file.profile === 'registered';
  const split = registered ? 'test' : 'validation';
  const fig = (name: string) => figures.find((f) => f.file === name);
  const out: string[] = [PREAMBLE(study.title)];
  const title = registered ? study.title : `${study.title} (${file.label})`;

  out.push(`#align(center)[
  #text(font: "Source Sans 3", size: 16pt, weight: "bold")[${t(title)}]
  #v(0.3em)
  #text(size: 10pt)[A pre-registered study, reported by hypotest from the run records in ${mono(registered ? `results/${study.name}/` : `results/.${file.profile}/${study.name}/`)}]
  #v(0.1em)
  #text(size: 9pt, fill: luma(80))[Lock ${study.lockHash ? mono(study.lockHash.slice(0, 12)) : 'none'}${study.lockedAt ? `, ${t(study.lockedAt.slice(0, 10))}` : ''} · ${design.cells.length * design.seeds.length} runs · generated; do not edit by hand]
]`);
  out.push(`#heading(numbering: none, level: 1)[Abstract]\n#block(inset: (x: 1.2em))[#text(size: 9.8pt)[${abstract(file)}]]`);

  out.push('= Introduction');
  out.push(narrative?.Introduction ? markdownToTypst(narrative.Introduction) : t(`${study.question} (No narrative file: write ${input.studyFolder}narrative.md with an Introduction and a Discussion to replace this paragraph.)`));

  out.push('= Pre-registration');
  out.push(t(`The study's pre-registration is its own code: ${input.studyFolder}study.ts (data, factors, seeds, budget, analysis plan and diverged-run rule), ${input.studyFolder}hypotheses.exp.ts (the hypotheses, with direction, SESOI and the reason for each) and one file per cell in ${input.studyFolder}cells/. `) +
    t(`npx hypotest lock ${study.name} hashed those files, every project module they import and the dataset fingerprint into ${input.studyFolder}prereg.lock.json, committed on its own before any sealed split was opened; every later run checks the files against it (an edit stops the run until undone or recorded as a deviation, Section 5), and each sealed opening is logged in results/${study.name}/audit.jsonl.`));
  out.push(tableBlock('(auto, 1fr)', '(left, left)', ['item', 'value'], [
    ['study folder', mono(input.studyFolder)],
    ['lock hash (sha256)', study.lockHash ? mono(study.lockHash) : 'not locked'],
    ['locked at', study.lockedAt ? t(study.lockedAt) : '—'],
    ['git commit at lock', study.lockCommit ? mono(study.lockCommit) : '—'],
    ['verdict rule', 'minimum-effect testing against the SESOI; equivalence within ±SESOI'],
    ['profile reported', t(file.label)],
  ], 'The lock.', 'tab-lock'));
  out.push(tableBlock('(auto, auto, 1fr, auto)', '(left, left, left, left)', ['id', 'family', 'registered claim', 'claimed effect'],
    file.hypotheses.map((h) => [`*${t(h.id)}*`, t(h.family), t(h.claim.replace(/^Exploratory: /, '')), t(`${formatClaimThreshold(h.direction, h.sesoi, h.unit)} (${h.metric})`)]),
    t(`The registered hypotheses. Each SESOI's reason is written beside it in ${input.studyFolder}hypotheses.exp.ts and shown in prereg.pdf.`), 'tab-hypotheses'));

  out.push('= Methods');
  out.push('== Data and model');
  out.push(t(dataAsRun(file)));
  const notes = design.notes.filter((n) => !/^Pilot/i.test(n));
  if (notes.length) out.push(`#[#set text(size: 8.8pt)\n${notes.map((n) => `- ${markdownToTypst(n)}`).join('\n')}\n]`);
  out.push('== Design and budget');
  const factorText = design.factors ? Object.entries(design.factors).map(([f, l]) => `${f} (${l.join(', ')})`).join('; ') : `arms ${design.cells.join(', ')}`;
  out.push(t(`${design.factors ? `Full factorial: ${factorText}, ${design.cells.length} cells` : factorText}; seeds ${design.seeds.join(', ')} for every cell (${design.cells.length * design.seeds.length} runs). ${settingsAsRun(file)} The metric is ${design.metrics.primary} on the ${registered ? 'sealed test' : 'validation'} split, read at the ${design.metrics.readAt === 'final-epoch' ? 'final epoch' : 'epoch with the best validation accuracy'}${design.metrics.secondary?.length ? `; secondary: ${design.metrics.secondary.join(', ')}` : ''}. Accuracy is in percent; effects are in percentage points (pp).`));
  const pilot = design.notes.find((n) => /^Pilot/i.test(n));
  if (pilot) out.push(`#[#set text(size: 8.8pt)\n${markdownToTypst(pilot)}\n]`);
  out.push('== Analysis');
  const families = Object.entries(design.analysis.families).map(([name, f]) => `${name}: ${f.correction === 'bonferroni' ? 'verdicts from Bonferroni-adjusted intervals, Holm-adjusted p-values beside' : 'Benjamini-Hochberg-adjusted p-values, verdicts from unadjusted intervals; labelled exploratory'}`).join('; ');
  out.push(t(`${design.analysis.model === 'factorial' ? 'Each hypothesis is a contrast of cell means in the full-factorial linear model with pooled residual variance; its t interval uses the residual degrees of freedom' : 'Each hypothesis is a seed-matched paired t interval between two arms'}${design.analysis.seedAsBlock ? `, with seed as an additive block (${design.analysis.seedBlockReason})` : ''}. Families: ${families}. Power for minimum detectable effects: ${Math.round((design.analysis.power ?? 0.8) * 100)}%. Diverged runs: rule ${design.diverged.rule} (${design.diverged.reason}).`));
  out.push(`For a claim "effect > _δ_" with deciding interval [_L_, _U_] the verdict is _supported_ when _L_ > _δ_, _refuted_ when _U_ < _δ_ (the data exclude every effect of the claimed size), and _inconclusive_ otherwise; "effect < −_δ_" is the mirror image. An equivalence claim is supported when −_δ_ < _L_ and _U_ < _δ_, refuted when the interval lies wholly outside (−_δ_, _δ_), inconclusive otherwise. Every inconclusive verdict is reported with the design's minimum detectable effect (MDE).`);

  out.push('= Results');
  out.push(`#figure(kind: table, caption: [Verdicts. Estimate and deciding interval in the metric's unit (${t([...new Set(file.hypotheses.map((h) => `${h.unit} for ${h.metric}`))].join(', '))}), its confidence, the claimed threshold, the verdict and the adjusted p-value (Holm for confirmatory, BH for exploratory).], table(columns: (auto, 1fr, auto, auto, auto, auto, auto, auto), align: (left, left, right, center, right, left, left, right),
  table.hline(stroke: 0.8pt), [*id*], [*claim*], [*est.*], [*interval*], [*conf.*], [*claim*], [*verdict*], [*adj. p*], table.hline(stroke: 0.5pt),
  ${claimRows(file).map((r) => r.map((c) => `[${c}]`).join(', ')).join(',\n  ')},
  table.hline(stroke: 0.8pt))) <tab-verdicts>`);
  if (fig('forest.svg')) out.push(figureBlock(fig('forest.svg')!, 'fig-forest'));
  const counts = ['supported', 'inconclusive', 'refuted', 'incomplete', 'error'].map((v) => [v, file.hypotheses.filter((h) => h.verdict === v).length] as const).filter(([, n]) => n > 0);
  out.push(`@tab-verdicts and @fig-forest give every verdict (${t(counts.map(([v, n]) => `${n} ${v}`).join(', '))}); Section 6 discusses each claim that was not supported.`);
  if (fig('cell-means.svg')) out.push(figureBlock(fig('cell-means.svg')!, 'fig-cells', 'auto'));
  if (fig('interaction.svg')) out.push(figureBlock(fig('interaction.svg')!, 'fig-interaction'));
  if (summary?.anova) {
    const a = summary.anova;
    out.push(tableBlock('(1fr, auto, auto, auto, auto, auto, auto)', '(left, right, right, right, right, right, right)', ['term', 'sum of squares', 'df', 'mean square', 'F', 'p', 'partial ω²'], [
      ...a.rows.map((r) => [t(r.term.replace(/:/g, ' × ')), r.sumOfSquares.toFixed(3), String(r.df), r.meanSquare.toFixed(3), r.F.toFixed(2), formatP(r.pValue), r.partialOmegaSquared.toFixed(3)]),
      ['residual', a.residual.sumOfSquares.toFixed(3), String(a.residual.df), a.residual.meanSquare.toFixed(3), '', '', ''],
    ], t(`Analysis of variance of ${split} ${summary.metric} (full factorial${design.analysis.seedAsBlock ? ', seed as a block' : ''}). Descriptive and unadjusted: the registered claims are the contrasts of the verdict table, not these omnibus tests.`), 'tab-anova'));
  } else if (summary?.anovaError) out.push(t(`The ANOVA table could not be computed: ${summary.anovaError}`));
  if (fig('learning-curves.svg')) out.push(figureBlock(fig('learning-curves.svg')!, 'fig-curves', 'auto'));

  out.push('= Deviations and post-hoc notes');
  out.push('== Deviations from the pre-registration');
  out.push(file.deviations.length === 0 ? 'None recorded: every pre-registration file matched the lock when the results were produced.' : file.deviations.map((d) => `- ${t(d.when)}: ${mono(d.file)}: ${t(d.what)}. Why: ${t(d.why)}`).join('\n'));
  out.push('== Post-hoc notes');
  const postHoc = postHocNotes(file);
  out.push(postHoc ? `_Written after the results were seen (${mono(`${input.studyFolder}post-hoc.md`)}); not part of the pre-registration, and no verdict depends on them._\n\n${markdownToTypst(postHoc)}` : 'None.');

  out.push('= Discussion');
  if (narrative?.Discussion) out.push(markdownToTypst(narrative.Discussion));
  const notSupported = file.hypotheses.filter((h) => h.verdict !== 'supported');
  if (notSupported.length) {
    out.push('== Every claim the data did not support');
    out.push(`#[#set text(size: 9pt)\n${notSupported.map((h) => `- ${markdownToTypst(findingSentence(h))}`).join('\n')}\n]`);
  }

  out.push('= Limitations');
  const limits = [
    `${design.seeds.length} seeds per cell: intervals rest on ${summary?.anova ? `${summary.anova.residual.df} residual degrees of freedom of the pooled model, which assumes equal variance in every cell` : 'few replicates'}.`,
    `One dataset, one architecture family and one training budget (${budgetText(file)}); no hyperparameter was tuned per cell, so an effect here may not transfer to tuned settings or longer training.`,
    `The ${split} split is evaluated once per run; its own sampling noise (about ±0.65 pp binomial margin on 10,000 images) enters every run's value.`,
    'The verdicts are only as meaningful as the registered SESOIs: a different smallest effect of interest can change a verdict without any change in the data.',
  ];
  out.push(limits.map((l) => `- ${t(l)}`).join('\n'));
  if (narrative?.Limitations) out.push(markdownToTypst(narrative.Limitations));

  out.push('= References');
  out.push(`#set text(size: 8pt)\n#set par(justify: false)\n#columns(2, gutter: 1.2em)[\n${REFERENCES.map((r) => `+ ${t(r)}`).join('\n')}\n]`);
  return out.join('\n\n') + '\n';
}
