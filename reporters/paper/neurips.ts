/**
 * The 4-page lab report of an arms study (analysis model `paired`) in a NeurIPS-style layout made by hand in Typst
 * (the official template cannot be fetched offline): US letter, one column, a 5.5 in × 9 in text block centred on the
 * page (NeurIPS margins: 1.5 in left and right, 1 in top and bottom), 10 pt serif body (Source Serif 4: the npm font
 * packages that ship TTF files have no Times-like family; Tinos exists only as WOFF subsets, which Typst cannot load),
 * the title at 17 pt bold, centred between a 4 pt rule above and a 1 pt rule below, the author block, "Abstract"
 * centred in 12 pt bold over an abstract indented 0.5 in on both sides, section headings 12 pt bold, subsections 10 pt
 * bold, captions 9 pt. Four pages of content, then the references on a page of their own.
 *
 * Every number comes from verdicts.json and the records ({@link ArmsReportData}); the introduction and discussion are
 * the researcher's narrative with its references filled.
 */
import type { HypothesisResult } from '../../harness/index.ts';
import { formatClaimThreshold, formatConfidence, formatInterval, formatP, formatValue } from '../../harness/figures/format.ts';
import { chosenArmsNote, type VerdictsFile } from '../render/verdictTable.ts';
import { metricInfo, settingsText, type ArmsReportData, type SearchSpaceEntry } from './armsData.ts';
import type { ReportFigure } from './figures.ts';
import { markdownToTypst, type Narrative } from './narrative.ts';
import { typstString, typstText as t } from './typst.ts';

/** The section headings of the NeurIPS-style paper, in order (the test looks for each in the PDF's text). */
export const NEURIPS_SECTIONS = ['Abstract', 'Introduction', 'Methods', 'Results', 'Discussion', 'References'] as const;

/** The references of an arms paper. */
export const NEURIPS_REFERENCES = [
  'Xiao, H., Rasul, K., Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for benchmarking machine learning algorithms. arXiv:1708.07747.',
  'Mu, N., Gilmer, J. (2019). MNIST-C: a robustness benchmark for computer vision. arXiv:1906.02337.',
  'Dosovitskiy, A., et al. (2021). An image is worth 16x16 words: transformers for image recognition at scale. ICLR 2021.',
  'Chen, T., Guestrin, C. (2016). XGBoost: a scalable tree boosting system. KDD 2016, 785–794.',
  'Bergstra, J., Bengio, Y. (2012). Random search for hyper-parameter optimization. JMLR 13, 281–305.',
  'Guo, C., Pleiss, G., Sun, Y., Weinberger, K. Q. (2017). On calibration of modern neural networks. ICML 2017.',
  'Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. Monthly Weather Review 78(1), 1–3.',
  'McNemar, Q. (1947). Note on the sampling error of the difference between correlated proportions or percentages. Psychometrika 12(2), 153–157.',
  'Dietterich, T. G. (1998). Approximate statistical tests for comparing supervised classification learning algorithms. Neural Computation 10(7), 1895–1923.',
  'Bouthillier, X., et al. (2021). Accounting for variance in machine learning benchmarks. MLSys 2021.',
  'Davison, A. C., Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge University Press.',
  'Lakens, D., Scheel, A. M., Isager, P. M. (2018). Equivalence testing for psychological research: a tutorial. AMPPS 1(2), 259–269.',
  'Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of Statistics 6(2), 65–70.',
  'Nosek, B. A., Ebersole, C. R., DeHaven, A. C., Mellor, D. T. (2018). The preregistration revolution. PNAS 115(11), 2600–2606.',
];

/** Everything the NeurIPS-style paper is made of. */
export interface NeuripsInput {
  file: VerdictsFile;
  data: ArmsReportData;
  figures: readonly ReportFigure[];
  narrative: Narrative | null;
  /** Where the study's pre-registration lives, e.g. `experiments/architectures/`. */
  studyFolder: string;
  /**
   * How tightly to set the content so that it fits four pages: 0 (the layout as designed), 1 (figures at 88%, tighter
   * paragraph and table spacing), 2 (figures at 76%, and the list of claims not supported, which the verdict table
   * already gives, left out). {@link buildArmsDocuments} tries them in order. Default 0.
   */
  compact?: 0 | 1 | 2;
}

/** Figure scale and spacing of each compaction level. */
const COMPACT = [
  { figure: 1, spacing: '0.75em', inset: '2.2pt' },
  { figure: 0.88, spacing: '0.6em', inset: '1.8pt' },
  { figure: 0.76, spacing: '0.55em', inset: '1.6pt' },
] as const;
let scale = 1;

/** The text block's width in pt (5.5 in). */
const TEXT_WIDTH = 396;

const PREAMBLE = (title: string, level: (typeof COMPACT)[number]) => `#set document(title: ${typstString(title)}, author: "hypotest")
#set page(paper: "us-letter", margin: (x: 1.5in, y: 1in),
  footer: context align(center, text(size: 9pt, counter(page).display())))
#set text(font: "Source Serif 4", size: 10pt, lang: "en", fallback: false, hyphenate: true)
#set par(justify: true, leading: 0.5em, spacing: ${level.spacing}, first-line-indent: 0pt)
#set heading(numbering: "1.1")
#show heading: set text(weight: "bold")
#show heading.where(level: 1): set text(size: 12pt)
#show heading.where(level: 2): set text(size: 10pt)
#show heading.where(level: 1): it => block(above: 1em, below: 0.65em, it)
#show heading.where(level: 2): it => block(above: 0.85em, below: 0.55em, it)
#show raw: set text(font: "Source Code Pro", size: 8pt)
#show figure.caption: set text(size: 9pt)
#show figure.caption: set par(justify: true, leading: 0.45em)
#show figure.where(kind: table): set figure.caption(position: top)
#set figure(gap: 0.5em)
#show figure: set block(spacing: 0.8em)
#set table(stroke: none, inset: (x: 3pt, y: ${level.inset}))
#show table: set text(size: 8pt, hyphenate: false)
#show table: set par(justify: false, leading: 0.4em)
#set list(indent: 0.5em, spacing: 0.5em)
`;

function figureBlock(figure: ReportFigure | undefined, label: string, placement = 'none'): string {
  if (!figure) return '';
  const width = figure.width ? `${Math.min(figure.width * scale, TEXT_WIDTH).toFixed(1)}pt` : '100%';
  return `#figure(placement: ${placement}, text(font: "Source Sans 3", image(${typstString('/figures/' + figure.file)}, width: ${width})), caption: [${t(figure.caption)}]) <${label}>`;
}

/** Two figures side by side in one float, each with its own number and caption. */
function figurePair(a: ReportFigure | undefined, labelA: string, b: ReportFigure | undefined, labelB: string): string {
  if (!a || !b) return [figureBlock(a, labelA, 'auto'), figureBlock(b, labelB, 'auto')].filter(Boolean).join('\n\n');
  const half = (figure: ReportFigure, label: string) => `[#figure(text(font: "Source Sans 3", image(${typstString('/figures/' + figure.file)}, width: ${figure.width ? `${Math.min(figure.width * scale, TEXT_WIDTH / 2 - 6).toFixed(1)}pt` : '100%'})), caption: [${t(figure.caption)}]) <${label}>]`;
  return `#place(auto, float: true, clearance: 0.8em, grid(columns: (1fr, 1fr), column-gutter: 12pt, align: top, ${half(a, labelA)}, ${half(b, labelB)}))`;
}

function table(columns: string, align: string, header: string[], rows: string[][], caption: string, label: string, placement = 'none', extra = ''): string {
  return `#figure(placement: ${placement}, kind: table, caption: [${caption}], table(columns: ${columns}, align: ${align},${extra}
  table.hline(stroke: 0.8pt), ${header.map((h) => `[*${h}*]`).join(', ')}, table.hline(stroke: 0.5pt),
  ${rows.map((r) => r.map((c) => `[${c}]`).join(', ')).join(',\n  ')},
  table.hline(stroke: 0.8pt))) <${label}>`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const mono = (text: string) => `#raw(${typstString(text)})`;
const claimText = (h: HypothesisResult) => h.claim.replace(/^Exploratory: /, '').replace(/\s*\((by more than|difference within)[^)]*\)/, '');
const count = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

function counts(list: readonly HypothesisResult[]): string {
  return ['supported', 'inconclusive', 'refuted', 'incomplete', 'error'].map((v) => [v, list.filter((h) => h.verdict === v).length] as const).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ') || 'none';
}

/** A search distribution in words: "log-uniform [0.0001, 0.003]", "one of {128, 256, 512}". */
export function distributionText(d: SearchSpaceEntry): string {
  const n = (x: number | undefined) => (x === undefined ? '?' : String(Number(x.toPrecision(3))));
  if (d.kind === 'choice') return `one of {${(d.values ?? []).map(String).join(', ')}}`;
  if (d.kind === 'integer-uniform') return `integer ${n(d.low)}–${n(d.high)}`;
  return `${d.kind} [${n(d.low)}, ${n(d.high)}]`;
}

/** Mean ± the t interval's half-width (the interval is symmetric about the mean), in the metric's unit. */
function meanCell(data: ArmsReportData, arm: string, split: string, metric: string): string {
  const row = data.metricRows.find((r) => r.arm === arm && r.split === split && r.metric === metric);
  if (!row) return '—';
  const unit = metricInfo(metric).valueUnit;
  // The Brier score is in [0, 2]: three decimals for the mean and its half-width alike.
  const options = unit === '%' || unit === 'nats' ? {} : { decimals: 3 };
  const value = formatValue(row.mean, unit, options);
  if (row.lower === null || row.upper === null) return value;
  return `${value} ± ${formatValue((row.upper - row.lower) / 2, unit, options)}`;
}

/** The best arm's cell on each split and metric is set in bold. */
function bestArm(data: ArmsReportData, split: string, metric: string): string | null {
  const rows = data.metricRows.filter((r) => r.split === split && r.metric === metric);
  if (rows.length < 2) return null;
  const higher = metricInfo(metric).higherIsBetter;
  return rows.reduce((a, b) => ((higher ? b.mean > a.mean : b.mean < a.mean) ? b : a)).arm;
}

function abstract(file: VerdictsFile, data: ArmsReportData): string {
  const confirmatory = file.hypotheses.filter((h) => h.confirmatory);
  const exploratory = file.hypotheses.filter((h) => !h.confirmatory);
  const runs = data.arms.length * data.seeds.length;
  const trialCount = data.trials.length;
  const test = data.paired.find((p) => p.split === 'test');
  const sentences = [
    file.study.question,
    `We compare ${data.arms.length} arms (${data.arms.join(', ')})${data.search ? `, each tuned by a seeded random search of ${data.search.registered?.trials ?? Math.max(0, ...data.search.arms.map((a) => a.trials.length))} trials on validation data under one shared budget (${count(trialCount)} trial runs)` : ''}, then train each arm's chosen configuration with ${data.seeds.length} seeds (${runs} final runs) and evaluate it on the sealed test split${data.splits.includes('shift') ? ` and on a registered shift split of ${data.corruptions.length || 'the registered'} corruption${data.corruptions.length === 1 ? '' : 's'}` : ''}.`,
    `${confirmatory.length} confirmatory and ${exploratory.length} exploratory hypotheses, each with a smallest effect size of interest (SESOI), were registered and locked before any sealed split was opened.`,
    test && 'comparison' in test ? `The top two arms by validation accuracy, ${test.comparison.best} and ${test.comparison.second}, differ on test accuracy by ${formatValue(test.comparison.pairedT.estimate, 'pp', { signed: true })} pp (paired t ${formatConfidence(test.comparison.pairedT.confidence)} CI ${formatInterval(test.comparison.pairedT.lower, test.comparison.pairedT.upper, 'pp')}).` : '',
    `Confirmatory verdicts: ${counts(confirmatory)}; exploratory: ${counts(exploratory)}.`,
  ];
  return t(sentences.filter(Boolean).join(' '));
}

function dataSection(file: VerdictsFile, data: ArmsReportData): string {
  const params = file.design.dataset.params as Record<string, unknown>;
  const shift = params.shift as { corruptions?: unknown[]; seed?: unknown } | undefined;
  const corruptionText = data.corruptions.length
    ? `${data.corruptions.length} corruption${data.corruptions.length === 1 ? '' : 's'}, named corruption-severity: ${data.corruptions.join(', ')}`
    : shift?.corruptions ? `corruptions ${JSON.stringify(shift.corruptions)}` : '';
  const parts = [
    `${capitalise(file.design.dataset.description)} [1].`,
    data.splits.includes('shift') ? `The shift split holds the test images once per registered corruption (${corruptionText}${shift?.seed !== undefined ? `; corruption seed ${String(shift.seed)}` : ''}), in the spirit of MNIST-C [2]; every example's corruption is stored with its prediction. Test and shift are sealed: experiment code never receives them, and the harness evaluates each frozen model on them only while the lock holds, logging every opening.` : 'The test split is sealed: experiment code never receives it, and the harness evaluates each frozen model on it only while the lock holds, logging every opening.',
  ];
  return t(parts.join(' '));
}

function armsTable(file: VerdictsFile, data: ArmsReportData, withFixed = true): string {
  const configs = file.design.configs ?? {};
  const rows = data.arms.map((arm) => {
    const search = data.search?.arms.find((a) => a.arm === arm);
    const space = search?.space ? Object.entries(search.space).map(([k, d]) => `${k}: ${distributionText(d)}`).join('; ') : '—';
    const config = configs[arm] ?? {};
    const searched = new Set(Object.keys(search?.space ?? {}));
    const fixed = Object.entries(config).filter(([k]) => !searched.has(k) && k !== 'model').map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : String(v)}`).join(', ');
    const chosen = search?.chosen ? `trial ${search.chosen.trial}: ${settingsText(search.chosen.sampled)}${search.chosen.validationAccuracy !== null ? ` (val. ${formatValue(search.chosen.validationAccuracy, '%')}%)` : ''}` : '—';
    return withFixed ? [`*${t(arm)}*`, t(search?.family ?? '—'), t(fixed || '—'), t(space), t(chosen)] : [`*${t(arm)}*`, t(search?.family ?? '—'), t(space), t(chosen)];
  });
  const caption = `The arms and their searches [3, 4, 5]. ${withFixed ? 'Fixed settings are the registered configuration minus the searched settings (whose registered values are the pilot\'s defaults); the' : `Settings not searched are as registered in study.ts; the`} chosen trial has the best validation accuracy of the arm's trials and its settings are what the ${data.seeds.length} final seeds train.`;
  return withFixed
    ? table('(auto, auto, 1.1fr, 1.3fr, 1.2fr)', '(left, left, left, left, left)', ['arm', 'family', 'fixed settings', 'search space', 'chosen (validation)'], rows, t(caption), 'tab-arms', 'auto')
    : table('(auto, auto, 1.3fr, 1.2fr)', '(left, left, left, left)', ['arm', 'family', 'search space', 'chosen (validation)'], rows, t(caption), 'tab-arms', 'auto');
}

function budgetSection(file: VerdictsFile, data: ArmsReportData): string {
  const budget = file.design.budget as Record<string, unknown>;
  const search = data.search?.registered;
  const budgetText = Object.entries(budget).map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${count(v)}`).join(', ');
  const parts: string[] = [];
  if (search) {
    const c = search.calibration;
    parts.push(`Every arm gets the same seeded random search [5]: ${search.trials} trials, each trained with its own search seed (${search.seeds.join(', ')}; disjoint from the final seeds) on the training split and scored on validation only. Networks train for E = ${count(c.epochs)} epochs and trees for R = ${count(c.rounds ?? budget.rounds)} rounds, calibrated so that one trial takes at most T = ${search.secondsPerTrial} s on ${c.machine} (${c.date}; ${Object.entries(c.secondsPerTrial).map(([arm, s]) => `${arm} ${s} s`).join(', ')}; measured by ${c.command}).${search.reason ? ` ${capitalise(search.reason).replace(/\.?$/, '.')}` : ''}`);
  }
  parts.push(`Registered budget: ${budgetText}. Final seeds ${data.seeds.join(', ')} for every arm (${data.arms.length * data.seeds.length} runs; seeds matter [10]); a seed fixes each family's initialisation and data order (networks) or row and column subsampling (trees).`);
  parts.push(`Diverged runs: ${file.design.diverged.rule} (${file.design.diverged.reason}).`);
  return t(parts.join(' '));
}

function analysisSection(file: VerdictsFile, data: ArmsReportData): string {
  const { design } = file;
  const metrics = data.metrics.map((m) => { const i = metricInfo(m); return `${i.label}${i.valueUnit ? ` (${i.valueUnit === 'Brier' ? 'in [0, 2]' : i.valueUnit})` : ''}`; }).join(', ');
  const families = Object.entries(design.analysis.families).map(([name, f]) => `${name}: ${f.correction === 'bonferroni' ? 'Bonferroni-adjusted intervals decide, Holm-adjusted p-values beside [13]' : 'Benjamini-Hochberg p-values, unadjusted intervals, labelled exploratory'}`).join('; ');
  const boot = data.paired.map((p) => ('comparison' in p ? p.comparison.bootstrap : null)).find((b) => b && !('unavailable' in b));
  const resamples = boot && !('unavailable' in boot) ? boot.resamples : null;
  const text = [
    `Metrics: ${metrics}; the ECE with ${data.eceBins} equal-width confidence bins [6], the multi-class Brier score [7]. Per arm: the mean and ${formatConfidence(data.confidence)} Student t interval over the ${data.seeds.length} seeds.`,
    `Every hypothesis is a paired comparison over seed-matched runs; "top two" arms are chosen on mean validation accuracy, never on the split compared. Families: ${families}.`,
    `The top two are also compared by paired t over seeds (primary), a two-level bootstrap over seeds, then examples (sensitivity${resamples ? `; ${count(resamples)} resamples, stream ${data.bootstrapSeed}` : ''}) [11], and McNemar's test per seed (diagnostic; exact below 25 discordant examples) [8, 9].`,
  ].join(' ');
  return t(text) + ` A claim "effect > _δ_" with deciding interval [_L_, _U_] is _supported_ when _L_ > _δ_, _refuted_ when _U_ < _δ_, and _inconclusive_ otherwise; "effect < −_δ_" is its mirror image [12].`;
}

function metricsTable(data: ArmsReportData): string {
  const splits = data.splits;
  const rows: string[][] = [];
  for (const split of splits) {
    data.arms.forEach((arm, i) => {
      rows.push([i === 0 ? `_${t(split)}_` : '', t(arm), ...data.metrics.map((m) => (bestArm(data, split, m) === arm ? `*${t(meanCell(data, arm, split, m))}*` : t(meanCell(data, arm, split, m))))]);
    });
  }
  const header = ['split', 'arm', ...data.metrics.map((m) => { const i = metricInfo(m); return t(`${i.short} ${i.higherIsBetter ? '↑' : '↓'}`); })];
  const units = data.metrics.map((m) => { const i = metricInfo(m); return `${i.short} ${i.valueUnit === 'Brier' ? 'in [0, 2]' : `in ${i.valueUnit}`}`; }).join(', ');
  const separators = splits.slice(1).map((_, k) => `table.hline(y: ${1 + (k + 1) * data.arms.length}, stroke: 0.3pt),`).join(' ');
  return table(`(auto, auto, ${data.metrics.map(() => '1fr').join(', ')})`, `(left, left, ${data.metrics.map(() => 'right').join(', ')})`, header, rows,
    t(`Mean ± half-width of the ${formatConfidence(data.confidence)} t interval over ${data.seeds.length} seeds, every arm, metric and split (shift: pooled over the corruptions); ${units}. Bold: the best mean of each column and split.`), 'tab-metrics', 'auto', ` ${separators}`);
}

function verdictTable(file: VerdictsFile): string {
  const rows = file.hypotheses.map((h) => [
    `*${t(h.id)}*`, t(claimText(h)), `${t(h.split)} \\ ${t(metricInfo(h.metric).short)}`,
    `${t(formatValue(h.estimate, h.unit, { signed: true }))} \\ ${t(formatInterval(h.lower, h.upper, h.unit))}`, t(formatClaimThreshold(h.direction, h.sesoi, h.unit)), `*${t(h.verdict)}*`, t(formatP(h.adjustedPValue)),
  ]);
  const chosen = [...new Set(file.hypotheses.filter((h) => h.chosen).map((h) => chosenArmsNote(h)!))];
  const confidences = [...new Set(file.hypotheses.map((h) => `${formatConfidence(h.confidence)} for ${h.family}`))].join(', ');
  return table('(auto, 1fr, 4.6em, 8.8em, auto, auto, auto)', '(left, left, left, left, left, left, right)', ['id', 'claim', 'on', 'estimate [interval]', 'claimed', 'verdict', 'adj. p'], rows,
    t(`The registered hypotheses and their verdicts: estimate and deciding interval in the effect's unit (${[...new Set(file.hypotheses.map((h) => h.unit))].join(', ')}; intervals at ${confidences}, Bonferroni-adjusted in the confirmatory family), the claimed threshold, the verdict and the adjusted p-value (Holm for confirmatory, BH for exploratory claims).${chosen.length ? ` Top-two claims compare ${chosen.join('; ')}.` : ''}`), 'tab-verdicts', 'auto');
}

function pairedTable(data: ArmsReportData): string {
  const made = data.paired.filter((p): p is Extract<typeof p, { comparison: unknown }> => 'comparison' in p);
  if (!made.length) return '';
  const first = made[0].comparison;
  const rows = made.map((p) => {
    const c = p.comparison;
    const b = c.bootstrap;
    const mcnemar = c.mcnemar.map((m) => ('unavailable' in m ? `s${m.seed} —` : `s${m.seed} ${m.onlyBest}/${m.onlySecond} (${formatP(m.pValue)})`)).join(', ');
    return [
      `_${t(p.split)}_`, t(`${formatValue(c.pairedT.estimate, 'pp', { signed: true })} ${formatInterval(c.pairedT.lower, c.pairedT.upper, 'pp')}`), t(formatP(c.pairedT.pValue)),
      'unavailable' in b ? t('—') : t(`${formatInterval(b.lower, b.upper, 'pp')}`), `#text(size: 7pt)[${t(mcnemar)}]`,
    ];
  });
  return table('(auto, auto, auto, auto, 1fr)', '(left, center, right, center, left)', ['split', 'paired t (pp)', 'p', 'bootstrap (pp)', 'McNemar per seed: only best/only second (p)'], rows,
    t(`Top two by validation accuracy, ${first.best} (${formatValue(first.validationMeans[first.best], '%')}%) − ${first.second} (${formatValue(first.validationMeans[first.second], '%')}%), on accuracy: paired t over ${data.seeds.length} seeds (primary; ${formatConfidence(first.pairedT.confidence)}, df ${first.pairedT.df}), two-level bootstrap (sensitivity), McNemar per seed (diagnostic); unadjusted (verdicts:`) + ' @tab-verdicts).', 'tab-paired', 'auto');
}

/**
 * The NeurIPS-style paper's Typst source. Figures are referenced as `/figures/<file>`; compile with those files mapped.
 *
 * @example
 * const source = neuripsSource({ file, data, figures, narrative, studyFolder: 'experiments/architectures/' });
 */
export function neuripsSource(input: NeuripsInput): string {
  const { file, data, figures, narrative } = input;
  const { study } = file;
  const registered = file.profile === 'registered';
  const fig = (name: string) => figures.find((f) => f.file === name);
  const title = registered ? study.title : `${study.title} (${file.label})`;
  const level = COMPACT[input.compact ?? 0];
  scale = level.figure;
  const out: string[] = [PREAMBLE(title, level)];

  out.push(`#block(width: 100%, above: 0pt, below: 0pt)[
  #line(length: 100%, stroke: 4pt)
  #v(0.2in)
  #align(center, par(justify: false, leading: 0.4em, text(size: 17pt, weight: "bold", ${typstString(title)})))
  #v(0.18in)
  #line(length: 100%, stroke: 1pt)
]
#v(0.22in)
#align(center, par(justify: false)[
  #text(weight: "bold")[hypotest] \\
  ${t(`pre-registered in ${input.studyFolder} (study.ts, one cell file per arm, hypotheses.exp.ts; locked before any sealed split was opened [14]); generated from the run records in ${registered ? `results/${study.name}/` : `results/.${file.profile}/${study.name}/`}`)} \\
  #text(size: 9pt)[Lock ${study.lockHash ? mono(study.lockHash.slice(0, 12)) : 'none'}${study.lockedAt ? `, ${t(study.lockedAt.slice(0, 10))}` : ''} · ${data.arms.length * data.seeds.length} final runs${data.trials.length ? ` · ${data.trials.length} search trials` : ''}]
])
#v(0.2in)
#align(center, text(size: 12pt, weight: "bold")[Abstract])
#v(0.3em)
#pad(x: 0.5in)[${abstract(file, data)}]
#v(0.12in)`);

  out.push('= Introduction');
  out.push(narrative?.Introduction ? markdownToTypst(narrative.Introduction) : t(`${study.question} (No narrative file: write ${input.studyFolder}narrative.md with an Introduction and a Discussion to replace this paragraph.)`));

  out.push('= Methods');
  out.push('== Data and shift');
  out.push(dataSection(file, data));
  out.push('== Arms, search and budget');
  out.push(budgetSection(file, data));
  out.push(armsTable(file, data, (input.compact ?? 0) < 2));
  out.push('== Analysis');
  out.push(analysisSection(file, data));

  out.push('= Results');
  out.push(metricsTable(data));
  const best = (metric: string, split: string) => bestArm(data, split, metric);
  const sentences: string[] = [];
  if (data.metricRows.length) {
    const splits = data.splits.filter((s) => s !== 'validation');
    sentences.push(`@tab-metrics gives every arm's mean and interval${fig('arm-metrics.svg') ? ' and @fig-metrics draws them' : ''}.`);
    for (const split of splits) {
      const arm = best('accuracy', split);
      const row = data.metricRows.find((r) => r.arm === arm && r.split === split && r.metric === 'accuracy');
      if (arm && row) sentences.push(t(`On ${split}, the most accurate arm is ${arm} (${formatValue(row.mean, '%')}%).`));
    }
  }
  out.push(sentences.join(' '));
  out.push(figureBlock(fig('arm-metrics.svg'), 'fig-metrics', 'auto'));
  if (fig('corruptions.svg')) {
    const worst = data.arms.map((arm) => {
      const own = data.corruptionRows.filter((r) => r.arm === arm && r.corruption !== 'clean test');
      return own.length ? own.reduce((a, b) => (b.mean < a.mean ? b : a)) : null;
    }).filter((r): r is NonNullable<typeof r> => r !== null);
    out.push(`@fig-corruptions breaks the shift split into its corruptions. ` + t(worst.map((r) => `${r.arm} loses most on ${r.corruption} (${formatValue(r.mean, '%')}%)`).join('; ') + '.'));
    out.push(figureBlock(fig('corruptions.svg'), 'fig-corruptions', 'auto'));
  }
  out.push(verdictTable(file));
  out.push(`@tab-verdicts gives every verdict (${t(counts(file.hypotheses))}).` + (fig('reliability.svg') ? ' @fig-reliability shows where the calibration errors come from.' : ''));
  out.push(figureBlock(fig('reliability.svg'), 'fig-reliability', 'auto'));
  const paired = pairedTable(data);
  if (paired) {
    const test = data.paired.find((p) => p.split === 'test');
    const discordant = test && 'comparison' in test ? test.comparison.mcnemar.filter((m) => !('unavailable' in m) && m.pValue < 0.05).length : 0;
    out.push(paired);
    if (test && 'comparison' in test) {
      const c = test.comparison;
      out.push(t(`McNemar's test finds the two arms' errors on the test images different at p < 0.05 in ${discordant} of ${c.mcnemar.length} seeds.`) + (fig('paired-differences.svg') ? ' @fig-paired shows each seed.' : ''));
    }
    for (const p of data.paired) if ('unavailable' in p) out.push(t(`The paired comparison on ${p.split} could not be made: ${p.unavailable}`));
  }
  if (fig('search-trials.svg')) {
    out.push(t(`The search scored every trial on validation only; each arm's final seeds train its best trial's configuration`) + ' (@tab-arms, @fig-search).');
  }
  out.push(figurePair(fig('paired-differences.svg'), 'fig-paired', fig('search-trials.svg'), 'fig-search'));

  out.push('= Discussion');
  if (narrative?.Discussion) out.push(markdownToTypst(narrative.Discussion));
  const notSupported = file.hypotheses.filter((h) => h.verdict !== 'supported');
  if (notSupported.length && (input.compact ?? 0) < 2) {
    out.push(`*Not supported* (intervals in @tab-verdicts): ` + t(notSupported.map((h) => `${h.id} ${h.verdict}${h.verdict === 'inconclusive' && h.minimumDetectableEffect !== null ? ` (the design detects about ${formatValue(h.minimumDetectableEffect, h.unit)} ${h.unit}${h.minimumDetectableEffect > h.sesoi ? ', more than the SESOI' : ''})` : ''}`).join('; ') + '.'));
  }
  out.push(`*Deviations and limitations.* ` + t(`${file.deviations.length === 0 ? 'No deviation from the pre-registration was recorded.' : file.deviations.map((d) => `${d.kind === 'analysis' ? 'analysis' : d.file}: ${d.what} (${d.why})`).join('; ') + '.'} ${data.seeds.length} seeds per arm, one dataset, one budget: a family that needs more search or training is judged at this budget.`) + (narrative?.Limitations ? ' ' + markdownToTypst(narrative.Limitations) : ''));

  out.push(`#pagebreak(weak: true)\n#heading(numbering: none)[References]\n#set text(size: 9pt)\n#set par(justify: false, leading: 0.45em, spacing: 0.6em)\n${NEURIPS_REFERENCES.map((r, i) => `[${i + 1}] ${t(r)}`).join('\n\n')}`);
  return out.join('\n\n') + '\n';
}
