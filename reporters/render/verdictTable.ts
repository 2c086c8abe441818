import { formatNumber } from '../../harness/figures/format.ts';
import type { HypothesisResult, PilotMeta, RunSummary, VerdictMeta } from '../../harness/meta.ts';

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

function effectCell(r: HypothesisResult): string {
  return r.estimate === null ? '—' : `${num(r.estimate)} ${r.unit}`;
}
function intervalCell(r: HypothesisResult): string {
  return r.lower === null ? '—' : `[${num(r.lower)}, ${num(r.upper)}] (${(r.confidence * 100).toFixed(1)}%)`;
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

/** Rows of the verdict table: hypothesis, effect, interval, SESOI, verdict (with the registered rule's beside), runs complete, profile. */
export function verdictRows(file: VerdictsFile): string[][] {
  return file.hypotheses.map((r) => [
    `${r.id} ${r.claim}`, effectCell(r), intervalCell(r), sesoiCell(r),
    (r.verdict === 'inconclusive' && r.minimumDetectableEffect !== null ? `inconclusive (MDE ${num(r.minimumDetectableEffect)})` : r.verdict) + registeredRuleNote(r),
    `${r.runsComplete}/${r.runsExpected}`, r.profile,
  ]);
}

/** A deviation in one line: the file (or 'the analysis'), what, why. */
function deviationText(d: VerdictsFile['deviations'][number]): string {
  return `${d.kind === 'analysis' ? 'the analysis' : d.file}: ${d.what} (${d.why})`;
}

const HEADER = ['hypothesis', 'effect', 'interval', 'SESOI', 'verdict', 'runs', 'profile'];

/** The terminal table (plain text, fixed-width columns; long claims are cut). */
export function renderTerminalTable(file: VerdictsFile, width = 150): string {
  const rows = verdictRows(file).map((row) => [row[0].length > 48 ? row[0].slice(0, 47) + '…' : row[0], ...row.slice(1)]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [
    `hypotest: ${file.study.name} — ${file.study.title} (${file.label})`,
    line(HEADER),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  if (file.deviations.length > 0) out.push(`deviations from the pre-registration: ${file.deviations.map(deviationText).join('; ')}`);
  const rules = verdictRuleNote(file);
  if (rules) out.push(rules);
  const counts = new Map<string, number>();
  for (const r of file.hypotheses) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  out.push([...counts].map(([v, n]) => `${n} ${v}`).join(', '));
  return out.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l)).join('\n');
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
    '## Reasons',
    '',
    ...(verdictRuleNote(file) ? [verdictRuleNote(file)!, ''] : []),
    ...file.hypotheses.map((r) => `- **${r.id}** (${r.family}, ${r.correction}, ${r.metric} on ${r.split}): ${r.verdict} — ${/[.!?]$/.test(r.reason) ? r.reason : `${r.reason}.`}${r.registeredRuleVerdict ? ` Under the registered verdict rule ${r.registeredRuleVerdict.verdictRule}: ${r.registeredRuleVerdict.verdict} — ${r.registeredRuleVerdict.reason}.` : ''}${r.adjustedPValue !== null ? ` Adjusted p = ${r.adjustedPValue.toPrecision(3)}.` : ''} SESOI: ${r.sesoiReason}`),
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
      `${Math.round((file.hypotheses[0]?.power ?? 0.8) * 100)}%) are for the registered design and its deciding confidence. σ includes any seed-block variance, so a blocked registered analysis is, if anything, more sensitive.`, '',
  ].join('\n');
}
