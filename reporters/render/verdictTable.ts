import { formatNumber } from '../../harness/figures/format.ts';
import { formatConfidence, formatInterval, formatValue } from '../../harness/figures/format.ts';
import type { HypothesisResult, PilotMeta, RunSummary, VerdictMeta } from '../../harness/meta.ts';
import { METRICS } from '../../harness/study.ts';
import { sealedOpeningsSentence } from '../../harness/provenance.ts';
import { searchMarkdown } from './searchTable.ts';

/** verdicts.json: one study's judged hypotheses, as the reporters and the write-ups read them. */
export interface VerdictsFile {
  schemaVersion: 1;
  study: VerdictMeta['study'];
  profile: 'registered' | 'quick' | 'pilot';
  label: string;
  strict: boolean;
  deviations: VerdictMeta['deviations'];
  design: NonNullable<VerdictMeta['design']>;
  summary: VerdictMeta['summary'];
  postHoc: string | null;
  hypotheses: HypothesisResult[];
}

/** A study whose hypotheses did not all run (a filtered or single-test rerun): shown, never written over the full report. */
export interface PartialVerdicts {
  partial: true;
  study: string;
  ran: string[];
  registered: string[];
  hypotheses: HypothesisResult[];
}

export const QUICK_LABEL = 'quick profile, validation only, not a registered result';

/** Groups verdict metas by study into the verdicts.json shape (hypotheses in registration order). */
export function buildVerdictFiles(metas: VerdictMeta[]): (VerdictsFile | PartialVerdicts)[] {
  const byStudy = new Map<string, VerdictMeta[]>();
  for (const meta of metas) {
    const key = `${meta.study.name}/${meta.result.profile}`;
    byStudy.set(key, [...(byStudy.get(key) ?? []), meta]);
  }
  return [...byStudy.values()].map((group): VerdictsFile | PartialVerdicts => {
    const first = group[0];
    const profile = first.result.profile;
    const ran = group.map((m) => m.result.id);
    const registered = first.registered;
    const design = group.find((m) => m.design)?.design;
    if (!design || registered.some((id) => !ran.includes(id))) {
      return { partial: true, study: first.study.name, ran, registered, hypotheses: group.map((m) => m.result) };
    }
    const ordered = registered.map((id) => group.find((m) => m.result.id === id)!);
    return {
      schemaVersion: 1,
      study: first.study,
      profile,
      label: profile === 'quick' ? QUICK_LABEL : 'registered profile, sealed test split',
      strict: first.strict,
      deviations: first.deviations,
      design,
      summary: group.find((m) => m.design)?.summary ?? null,
      postHoc: group.find((m) => m.design)?.postHoc ?? null,
      hypotheses: ordered.map((m) => m.result),
    };
  });
}

/** A number with fixed digits, or an em dash when absent or not finite. */
export const num = (value: number | null | undefined, digits = 2) => formatNumber(value, { digits, missing: '—' });
/** Escapes pipes for a markdown table cell. */
export const esc = (text: string) => text.replace(/\|/g, '\\|');

// Digits follow the unit (pp to 0.01, nats to 0.001), so a small effect in nats never prints as "-0.01 [-0.01, 0.00]".
function effectCell(r: HypothesisResult): string {
  return r.estimate === null ? '—' : `${formatValue(r.estimate, r.unit, { signed: true })} ${r.unit}`;
}
function intervalCell(r: HypothesisResult): string {
  return r.lower === null ? '—' : `${formatInterval(r.lower, r.upper, r.unit)} (${formatConfidence(r.confidence)})`;
}
function sesoiCell(r: HypothesisResult): string {
  const sign = r.direction === 'greater' ? '> ' : r.direction === 'less' ? '< −' : '±';
  return `${sign}${r.sesoi} ${r.unit}`;
}

/** The verdict under the lock's registered rule, when an analysis deviation adopted another and it differs: ' (rule 1: inconclusive)'. */
export function registeredRuleNote(r: HypothesisResult): string {
  return r.registeredRuleVerdict ? ` (rule ${r.registeredRuleVerdict.verdictRule}: ${r.registeredRuleVerdict.verdict})` : '';
}

/** One line on the verdict rules when an analysis deviation changed them, or null. */
export function verdictRuleNote(file: VerdictsFile): string | null {
  const changed = file.hypotheses.find((r) => r.registeredRuleVerdict);
  const adopted = file.deviations.filter((d) => d.kind === 'analysis' && d.verdictRule).at(-1);
  if (!changed && !adopted) return null;
  const rule = changed?.verdictRule ?? adopted?.verdictRule;
  const registered = changed?.registeredRuleVerdict?.verdictRule;
  return `Verdicts by verdict rule ${rule}, adopted after the lock by a recorded analysis deviation${registered ? `; the verdict under the registered rule ${registered} is shown beside wherever it differs` : '; no verdict differs under the registered rule'}.`;
}

/** For a top-two hypothesis, the arms it compared, as chosen on validation: 'best − second: softmax (92.33%) − centroid (80.11%), chosen on validation accuracy'; else null. */
export function chosenArmsNote(r: HypothesisResult): string | null {
  if (!r.chosen) return null;
  const mean = (cell: string) => (r.chosen!.validationMeans[cell] === undefined ? '' : ` (${formatValue(r.chosen!.validationMeans[cell], '%')}%)`);
  return `best − second: ${r.chosen.best}${mean(r.chosen.best)} − ${r.chosen.second}${mean(r.chosen.second)}, chosen on validation accuracy`;
}

/**
 * For a hypothesis that names its split or is a shift drop (`registeredSplit`), what its numbers are, e.g.
 * 'accuracy, mlp: test − shift (paired by seed)', 'accuracy on the shift split (pooled)', or under quick and pilot
 * 'accuracy on validation, standing in for the registered shift split'; null for the others (judged on test).
 */
export function splitNote(r: HypothesisResult): string | null {
  if (!r.registeredSplit) return null;
  if (r.split === 'validation') return `${r.metric} on validation, standing in for the registered ${r.registeredSplit} split`;
  if (r.shiftDrop) return `${r.metric}, ${r.effect}`;
  return `${r.metric} on the ${r.split} split${r.split === 'shift' ? ' (pooled over its corruptions)' : ''}`;
}

/** Rows of the verdict table: hypothesis (with the arms a top-two claim compared, and the split when it names one), effect, interval, SESOI, verdict (with the registered rule's beside), runs complete, profile. */
export function verdictRows(file: VerdictsFile): string[][] {
  return file.hypotheses.map((r) => [
    `${r.id} ${r.claim}${chosenArmsNote(r) ? ` [${chosenArmsNote(r)}]` : ''}${splitNote(r) ? ` [${splitNote(r)}]` : ''}`, effectCell(r), intervalCell(r), sesoiCell(r),
    (r.verdict === 'inconclusive' && r.minimumDetectableEffect !== null ? `inconclusive (MDE ${formatValue(r.minimumDetectableEffect, r.unit)})` : r.verdict) + registeredRuleNote(r),
    `${r.runsComplete}/${r.runsExpected}`, r.profile,
  ]);
}

/**
 * The audit log's sealed openings in one line when a split was opened more than once or a line is damaged (a crash), so
 * a repeat opening is never hidden; null otherwise (every split opened once), and for files written before it was counted.
 */
export function sealedOpeningsNote(file: VerdictsFile): string | null {
  const openings = file.study.provenance?.sealedOpenings;
  if (!openings) return null;
  const sentence = sealedOpeningsSentence(openings).trim();
  return sentence === '' ? null : sentence;
}

/** A deviation in one line: the file (or 'the analysis'), what, why. */
function deviationText(d: VerdictsFile['deviations'][number]): string {
  return `${d.kind === 'analysis' ? 'the analysis' : d.file}: ${d.what} (${d.why})`;
}

const HEADER = ['hypothesis', 'effect', 'interval', 'SESOI', 'verdict', 'runs', 'profile'];

/** How the terminal table is laid out: its width, and whether verdicts are coloured (a terminal that shows colour). */
export interface TerminalOptions {
  width?: number;
  colour?: boolean;
}

const ANSI: Record<string, string> = { supported: '\u001b[32m', refuted: '\u001b[31m', inconclusive: '\u001b[33m', incomplete: '\u001b[90m', error: '\u001b[90m' };

/** Splits text into lines of at most `width` characters at spaces (a word longer than the width is cut). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let part = word; part.length > 0; part = part.slice(width)) {
      const piece = part.slice(0, width);
      if (!line) line = piece;
      else if (line.length + 1 + piece.length <= width) line += ` ${piece}`;
      else { lines.push(line); line = piece; }
      if (part.length <= width) break;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/**
 * The terminal table: aligned columns, each claim wrapped (never cut) within the width, verdicts coloured when
 * `colour` is set, then the per-cell means with their intervals and a count of verdicts.
 */
export function renderTerminalTable(file: VerdictsFile, options: number | TerminalOptions = {}): string {
  const { width = 150, colour = false } = typeof options === 'number' ? { width: options } : options;
  const rows = verdictRows(file);
  const rest = HEADER.slice(1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i + 1].length)));
  const claimWidth = Math.max(20, Math.min(56, width - rest.reduce((a, b) => a + b + 2, 0)));
  const widths = [Math.min(claimWidth, Math.max(HEADER[0].length, ...rows.map((r) => r[0].length))), ...rest];
  const line = (cells: string[], paint?: string) => cells.map((c, i) => {
    const padded = c.padEnd(widths[i]);
    return paint && i === 4 && colour ? `${ANSI[paint] ?? ''}${c}\u001b[0m${padded.slice(c.length)}` : padded;
  }).join('  ').trimEnd();
  const out = [
    ...wrapText(`hypotest: ${file.study.name} — ${file.study.title} (${file.label})`, width),
    line(HEADER),
    line(widths.map((w) => '-'.repeat(w))),
  ];
  rows.forEach((row, k) => {
    // Continuation lines are indented under the claim, after the id.
    const [first, ...more] = row[0].length <= widths[0] ? [row[0]] : wrapText(row[0], widths[0] - 3);
    out.push(line([first, ...row.slice(1)], file.hypotheses[k].verdict));
    for (const continuation of more) out.push(line([`   ${continuation}`]));
  });
  if (file.deviations.length > 0) out.push(...wrapText(`deviations from the pre-registration: ${file.deviations.map(deviationText).join('; ')}`, width));
  const rules = verdictRuleNote(file);
  if (rules) out.push(...wrapText(rules, width));
  const openings = sealedOpeningsNote(file);
  if (openings) out.push(...wrapText(openings, width));
  out.push(...renderCellMeans(file, width));
  const byCorruption = shiftGroupTable(file);
  if (byCorruption) out.push(...wrapText(byCorruption.title, width), ...alignRows([byCorruption.header, ...byCorruption.rows]));
  const counts = new Map<string, number>();
  for (const r of file.hypotheses) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  out.push([...counts].map(([v, n]) => `${n} ${v}`).join(', '));
  return out.join('\n');
}

/** The primary metric's per-cell means with their intervals, as rows `[cell, "mean [lower, upper]"]` (empty without a summary). */
export function cellMeanRows(file: VerdictsFile): string[][] {
  const summary = file.summary;
  if (!summary) return [];
  const key = `${summary.split}.${summary.metric}`;
  const unit = METRICS[summary.metric].valueUnit;
  return summary.cells.filter((c) => c.metrics[key]).map((c) => {
    const m = c.metrics[key];
    return [c.cell, `${formatValue(m.mean, unit)}${m.lower === null ? '' : ` ${formatInterval(m.lower, m.upper, unit).replace(/\+/g, '')}`}`];
  });
}

function cellMeansTitle(file: VerdictsFile): string {
  const s = file.summary!;
  return `cell means: ${s.split} ${s.metric}${METRICS[s.metric].valueUnit === '%' ? ' (%)' : ''}, mean [${formatConfidence(s.confidence)} CI] over ${file.design.seeds.length} seeds`;
}

/**
 * The shift split by corruption, for one metric (default: the study's primary): one row per cell with its mean over seeds
 * on the pooled shift split and on each registered corruption (`summary.groups`), in the metric's value unit; null when
 * the shift split has no groups (a single corruption, or none).
 */
export function shiftGroupTable(file: VerdictsFile, metric = file.summary?.metric): { title: string; header: string[]; rows: string[][] } | null {
  const summary = file.summary;
  if (!summary?.groups || !metric) return null;
  const unit = METRICS[metric].valueUnit;
  const keys = ['shift', ...summary.groups.names.map((g) => `shift/${g}`)];
  return {
    title: `shift split by corruption: ${metric}${unit === '%' ? ' (%)' : ` (${unit})`}, mean over ${file.design.seeds.length} seeds; "shift" pools every corruption`,
    header: ['cell', 'shift', ...summary.groups.names],
    rows: summary.cells.map((c) => [c.cell, ...keys.map((k) => formatValue(c.metrics[`${k}.${metric}`]?.mean, unit))]),
  };
}

/** Rows padded to aligned columns, for the terminal. */
function alignRows(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

/** The markdown section on the shift split by corruption: one table per registered metric; empty without groups. */
function shiftGroupMarkdown(file: VerdictsFile): string[] {
  if (!file.summary?.groups) return [];
  const metrics = [file.design.metrics.primary, ...(file.design.metrics.secondary ?? [])];
  const out = ['## Shift split by corruption', ''];
  for (const metric of metrics) {
    const table = shiftGroupTable(file, metric)!;
    out.push(`${table.title[0].toUpperCase()}${table.title.slice(1)}.`, '', `| ${table.header.map(esc).join(' | ')} |`, `| ${table.header.map(() => '---').join(' | ')} |`, ...table.rows.map((r) => `| ${r.map(esc).join(' | ')} |`), '');
  }
  return out;
}

/** The per-cell means for the terminal, in as many columns as fit the width. */
export function renderCellMeans(file: VerdictsFile, width = 150): string[] {
  const rows = cellMeanRows(file);
  if (rows.length === 0) return [];
  const cellWidth = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  const entry = cellWidth + 2 + valueWidth;
  const columns = Math.max(1, Math.min(3, Math.floor((width + 4) / (entry + 4))));
  const perColumn = Math.ceil(rows.length / columns);
  const lines = [cellMeansTitle(file)];
  for (let i = 0; i < perColumn; i++) {
    const parts: string[] = [];
    for (let c = 0; c < columns; c++) {
      const row = rows[c * perColumn + i];
      if (row) parts.push(`${row[0].padEnd(cellWidth)}  ${row[1].padEnd(valueWidth)}`);
    }
    lines.push(parts.join('    ').trimEnd());
  }
  return lines;
}

/** The markdown version, with every column in full and the reasons below. */
export function renderMarkdown(file: VerdictsFile): string {
  const lines = [
    `# ${file.study.title}: verdicts`,
    '',
    file.profile === 'quick' ? `> **${QUICK_LABEL}.**` : `Registered profile; lock \`${file.study.lockHash?.slice(0, 12) ?? '—'}\` (${file.study.lockedAt ?? 'not locked'}).`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...verdictRows(file).map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    ...(file.summary ? ['## Cell means', '', `${cellMeansTitle(file)[0].toUpperCase()}${cellMeansTitle(file).slice(1)}.`, '', '| cell | mean [CI] |', '| --- | --- |', ...cellMeanRows(file).map((r) => `| ${r[0]} | ${r[1]} |`), ''] : []),
    ...searchMarkdown(file.design.searchSummary),
    ...shiftGroupMarkdown(file),
    ...(sealedOpeningsNote(file) ? ['## Sealed openings', '', sealedOpeningsNote(file)!, ''] : []),
    '## Reasons',
    '',
    ...(verdictRuleNote(file) ? [verdictRuleNote(file)!, ''] : []),
    ...file.hypotheses.map((r) => `- **${r.id}** (${r.family}, ${r.correction}, ${splitNote(r) ?? `${r.metric} on ${r.split}`}): ${r.verdict} — ${chosenArmsNote(r) ? `${chosenArmsNote(r)}. ` : ''}${/[.!?]$/.test(r.reason) ? r.reason : `${r.reason}.`}${r.registeredRuleVerdict ? ` Under the registered verdict rule ${r.registeredRuleVerdict.verdictRule}: ${r.registeredRuleVerdict.verdict} — ${r.registeredRuleVerdict.reason}.` : ''}${r.adjustedPValue !== null ? ` Adjusted p = ${r.adjustedPValue.toPrecision(3)}.` : ''} SESOI: ${r.sesoiReason}`),
    '',
    '## Deviations',
    '',
    ...(file.deviations.length === 0 ? ['None recorded.'] : file.deviations.map((d) => `- ${d.when}: ${d.kind === 'analysis' ? 'the analysis' : `\`${d.file}\``} — ${d.what}. Why: ${d.why}`)),
    '',
  ];
  return lines.join('\n');
}

/** One line per study and profile: how many runs were stored now, reused, diverged. */
export function renderRunSummary(runs: RunSummary[]): string {
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) groups.set(`${run.study} (${run.profile})`, [...(groups.get(`${run.study} (${run.profile})`) ?? []), run]);
  return [...groups].map(([name, list]) => {
    const reused = list.filter((r) => r.reused).length;
    const diverged = list.filter((r) => r.status === 'diverged').length;
    return `hypotest runs: ${name}: ${list.length} runs, ${list.length - reused} trained, ${reused} reused from stored records, ${diverged} diverged`;
  }).join('\n');
}

/** sensitivity.json: what a validation-only pilot says about the registered design, per hypothesis. */
export interface SensitivityFile {
  schemaVersion: 1;
  study: PilotMeta['study'];
  label: string;
  pilot: PilotMeta['pilot'];
  hypotheses: PilotMeta['result'][];
}

export const PILOT_LABEL = 'pilot profile, validation only, for planning the registered design; not a result';

/** Groups pilot metas by study. */
export function buildSensitivityFiles(metas: PilotMeta[]): SensitivityFile[] {
  const byStudy = new Map<string, PilotMeta[]>();
  for (const meta of metas) byStudy.set(meta.study.name, [...(byStudy.get(meta.study.name) ?? []), meta]);
  return [...byStudy.values()].map((group) => ({ schemaVersion: 1, study: group[0].study, label: PILOT_LABEL, pilot: group[0].pilot, hypotheses: group.map((m) => m.result) }));
}

function sensitivityRows(file: SensitivityFile): string[][] {
  return file.hypotheses.map((r) => [
    r.id, r.sigma === null ? '—' : `${num(r.sigma, 3)} (df ${r.sigmaDf})`, num(r.standardError, 3), r.halfWidth === null ? '—' : `±${num(r.halfWidth)} (${(r.confidence * 100).toFixed(1)}%)`,
    num(r.minimumDetectableEffect), `${r.direction === 'equivalent' ? '±' : ''}${r.sesoi} ${r.unit}`, r.assessment.split(':')[0],
  ]);
}
const SENSITIVITY_HEADER = ['hypothesis', 'pilot σ', 'expected SE', 'interval', 'MDE', 'SESOI', 'assessment'];

/** Terminal table of the design's sensitivity. */
export function renderSensitivityTable(file: SensitivityFile): string {
  const rows = sensitivityRows(file);
  const widths = SENSITIVITY_HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `hypotest: ${file.study.name} — design sensitivity from the pilot (${file.label})`,
    `pilot cells ${file.pilot.cells.join(', ')}; seeds ${file.pilot.seeds.join(', ')}`,
    line(SENSITIVITY_HEADER), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line),
  ].join('\n');
}

/** Markdown version with the full assessments. */
export function renderSensitivityMarkdown(file: SensitivityFile): string {
  return [
    `# ${file.study.title}: design sensitivity from the pilot`, '', `> **${PILOT_LABEL}.**`, '',
    `Pilot: cells ${file.pilot.cells.map((c) => `\`${c}\``).join(', ')}, seeds ${file.pilot.seeds.join(', ')}, registered budget, validation split. ${file.pilot.reason}`, '',
    `| ${SENSITIVITY_HEADER.join(' | ')} |`, `| ${SENSITIVITY_HEADER.map(() => '---').join(' | ')} |`,
    ...sensitivityRows(file).map((row) => `| ${row.join(' | ')} |`), '',
    ...file.hypotheses.map((r) => `- **${r.id}** (${r.claim}): ${r.assessment}.`), '',
    'σ is the pooled within-cell standard deviation over the pilot seeds; the expected standard error, interval half-width and minimum detectable effect (MDE, power ' +
      `${Math.round((file.hypotheses[0]?.power ?? 0.8) * 100)}%) are for the registered design and its deciding confidence, with the binomial noise of one evaluation on a test split of the registered size added to σ for accuracy. ` +
      'A claim whose MDE exceeds its SESOI is not decidable at this design. σ includes any seed-block variance, so a blocked registered analysis is, if anything, more sensitive.', '',
  ].join('\n');
}
