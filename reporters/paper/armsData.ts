/**
 * What the paper of an arms study (analysis model `paired`) reads, gathered in one place from verdicts.json and the
 * stored records: per-arm means and t intervals of every metric on every split (verdicts.json's study summary), each
 * corruption's accuracy on the shift split (the records' per-group metrics), reliability bins per arm and split (the
 * records' per-example top-class probability and correctness, binned with the study's registered ECE bins), the
 * paired comparison of the top two arms on test and shift (`comparePairedArms`: paired t, two-level bootstrap,
 * McNemar per seed), and the search (trial records and each arm's chosen trial). Every statistic comes from
 * `harness/analysis` or `harness/stats`; this file only selects and groups.
 */
import { comparePairedArms, runMetric, type PairedComparison } from '../../harness/analysis/index.ts';
import type { ArmMetricRow, CorruptionRow, ReliabilityRow, SearchTrialRow } from '../../harness/figures/armsSpecs.ts';
import { decodePredictions } from '../../harness/metrics.ts';
import { meanInterval, reliabilityBins } from '../../harness/stats/index.ts';
import type { RunRecord } from '../../harness/store.ts';
import { METRICS, type Study } from '../../harness/study.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';

/** A run record as the arms paper reads it: a final run or a search trial (`search.kind`), with per-group metrics when its shift split has corruptions. */
export type ArmsRunRecord = RunRecord & {
  search?: { kind: 'trial' | 'chosen'; trial: number; seed: number; sampled: Record<string, number | string | boolean>; validationAccuracy?: number };
  groupMetrics?: Partial<Record<'test' | 'shift', Record<string, Record<string, number>>>>;
};

/** One distribution of a search space as registered (`logUniform(...)` and friends give these). */
export interface SearchSpaceEntry { kind: string; low?: number; high?: number; values?: readonly (number | string | boolean)[] }

/** A study's registered search as verdicts.json's design carries it (`design.search`), when it has one. */
export interface RegisteredSearch {
  trials: number;
  seeds: number[];
  secondsPerTrial: number;
  calibration: { machine: string; date: string; command: string; epochs: number; rounds?: number; secondsPerTrial: Record<string, number> };
  arms: Record<string, { family: 'network' | 'trees'; space: Record<string, SearchSpaceEntry> }>;
  reason?: string;
}

/** One arm's search as the paper shows it. */
export interface ArmSearch {
  arm: string;
  family: string | null;
  space: Record<string, SearchSpaceEntry> | null;
  trials: SearchTrialRow[];
  /** The chosen trial (from the final runs' records), or null when they name none. */
  chosen: { trial: number; seed: number; sampled: Record<string, number | string | boolean>; validationAccuracy: number | null } | null;
}

/** A paired comparison on one split, or why it could not be made. */
export type PairedOnSplit = { split: 'test' | 'shift'; comparison: PairedComparison } | { split: 'test' | 'shift'; unavailable: string };

/** Everything the arms paper and slides show, from the records. */
export interface ArmsReportData {
  arms: string[];
  seeds: number[];
  /** Splits with metrics in the summary, in order: validation, test, shift. */
  splits: ('validation' | 'test' | 'shift')[];
  /** Metric names in the summary (primary first). */
  metrics: string[];
  confidence: number;
  eceBins: number;
  /** Means and t intervals over seeds of every arm, split and metric (from verdicts.json's summary). */
  metricRows: ArmMetricRow[];
  /** The shift split's corruptions (the records' group names), in the records' order. */
  corruptions: string[];
  /** Accuracy per arm on the clean test split and on each corruption: mean and t interval over seeds. */
  corruptionRows: CorruptionRow[];
  /** Reliability bins per arm and sealed split, pooled over seeds; empty when the records keep no top-class probability. */
  reliability: ReliabilityRow[];
  /** Paired comparison of the top two arms (chosen on validation) on test and on shift. */
  paired: PairedOnSplit[];
  /** The bootstrap stream's seed the comparison used. */
  bootstrapSeed: string | number;
  search: { registered: RegisteredSearch | null; arms: ArmSearch[] } | null;
  finals: ArmsRunRecord[];
  trials: ArmsRunRecord[];
}

/** Each metric's label and the unit of its values (percent for accuracy, macro-F1 and ECE; nats; Brier). */
export function metricInfo(metric: string): { label: string; short: string; valueUnit: string; higherIsBetter: boolean } {
  const known = (METRICS as Record<string, { label: string; unit: string; valueUnit?: string; higherIsBetter: boolean }>)[metric];
  const short: Record<string, string> = { accuracy: 'accuracy', macroF1: 'macro-F1', nll: 'NLL', ece: 'ECE', brier: 'Brier' };
  const valueUnit = known?.valueUnit ?? (metric === 'accuracy' ? '%' : metric === 'nll' ? 'nats' : known?.unit ?? '');
  return { label: known?.label ?? metric, short: short[metric] ?? metric, valueUnit, higherIsBetter: known?.higherIsBetter ?? true };
}

/** A metric's axis label, e.g. "ECE (%)", "NLL (nats)", "Brier". */
export function metricAxis(metric: string): string {
  const info = metricInfo(metric);
  return info.valueUnit && info.valueUnit !== 'Brier' ? `${info.short} (${info.valueUnit})` : info.short;
}

/** The study-like object the analysis functions need, rebuilt from verdicts.json's design (the design is the study as registered). */
function studyOf(file: VerdictsFile): Study {
  const { design } = file;
  return { name: file.study.name, cellIds: design.cells, seeds: design.seeds, diverged: design.diverged, analysis: design.analysis, metrics: design.metrics } as unknown as Study;
}

/**
 * Gathers an arms study's report data.
 *
 * @param runs final runs and search trials of the study (other records are ignored).
 * @example
 * const data = armsReportData(file, readStudyRuns(root, file));
 */
export function armsReportData(file: VerdictsFile, runs: readonly RunRecord[]): ArmsReportData {
  const { design } = file;
  const arms = [...design.cells];
  const seeds = [...design.seeds];
  const all = runs as readonly ArmsRunRecord[];
  const finals = all.filter((r) => r.search?.kind !== 'trial' && arms.includes(r.cell) && seeds.includes(r.seed));
  const trials = all.filter((r) => r.search?.kind === 'trial' && arms.includes(r.cell));
  const confidence = file.summary?.confidence ?? design.analysis.confidence;
  const eceBins = (design.metrics as { eceBins?: number }).eceBins ?? 15;
  const divergedAs = design.diverged.rule === 'substitute-chance' ? 'chance' : 'missing';

  const metricRows: ArmMetricRow[] = [];
  const splits = new Set<'validation' | 'test' | 'shift'>();
  const metrics = new Set<string>();
  for (const cell of file.summary?.cells ?? []) {
    for (const [key, m] of Object.entries(cell.metrics)) {
      // Keys are `<split>.<metric>`, and `shift/<corruption>.<metric>` per corruption (read below).
      const at = key.lastIndexOf('.');
      const split = key.slice(0, at) as 'validation' | 'test' | 'shift';
      const metric = key.slice(at + 1);
      if (!['validation', 'test', 'shift'].includes(split)) continue;
      splits.add(split);
      metrics.add(metric);
      metricRows.push({ arm: cell.cell, split, metric, mean: m.mean, lower: m.lower, upper: m.upper });
    }
  }
  const splitOrder = (['validation', 'test', 'shift'] as const).filter((s) => splits.has(s));

  const byArm = (arm: string): ArmsRunRecord[] => seeds.map((seed) => finals.find((r) => r.cell === arm && r.seed === seed)).filter((r): r is ArmsRunRecord => !!r);
  const interval = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    try {
      const { lower, upper } = meanInterval(values, { confidence });
      return { mean, lower, upper };
    } catch {
      return { mean, lower: null, upper: null };
    }
  };
  const corruptions: string[] = [...((file.summary as { groups?: { names: string[] } } | null)?.groups?.names ?? [])];
  for (const r of finals) for (const name of Object.keys(r.groupMetrics?.shift ?? {})) if (!corruptions.includes(name)) corruptions.push(name);
  const summarised = (arm: string, key: string) => file.summary?.cells.find((c) => c.cell === arm)?.metrics[key];
  const corruptionRows: CorruptionRow[] = [];
  for (const arm of arms) {
    const own = byArm(arm);
    if (own.length === 0) continue;
    // verdicts.json's summary holds every mean and interval (per corruption too, as `shift/<corruption>.accuracy`);
    // records judged before it did are summarised here with the same t interval.
    const cleanSummary = summarised(arm, 'test.accuracy');
    const clean = own.map((r) => runMetric(r, 'test', 'accuracy', divergedAs)).filter((v): v is number => v !== null);
    if (corruptions.length && (cleanSummary || clean.length)) corruptionRows.push({ arm, corruption: 'clean test', ...(cleanSummary ? { mean: cleanSummary.mean, lower: cleanSummary.lower, upper: cleanSummary.upper } : interval(clean)) });
    for (const corruption of corruptions) {
      const stored = summarised(arm, `shift/${corruption}.accuracy`);
      if (stored) {
        corruptionRows.push({ arm, corruption, mean: stored.mean, lower: stored.lower, upper: stored.upper });
        continue;
      }
      const values = own.map((r) => (r.status === 'diverged' ? runMetric(r, 'shift', 'accuracy', divergedAs) : r.groupMetrics?.shift?.[corruption]?.accuracy ?? null)).filter((v): v is number => v !== null && v !== undefined);
      if (values.length) corruptionRows.push({ arm, corruption, ...interval(values) });
    }
  }

  const reliability: ReliabilityRow[] = [];
  for (const arm of arms) {
    for (const split of ['test', 'shift'] as const) {
      const pooled = Array.from({ length: eceBins }, (_, b) => ({ lower: b / eceBins, upper: (b + 1) / eceBins, count: 0, confidenceSum: 0, correct: 0 }));
      let used = 0;
      for (const record of byArm(arm)) {
        const stored = record.predictions?.[split];
        if (!stored) continue;
        const decoded = decodePredictions(stored);
        if (!decoded.topClassProbability) continue;
        used++;
        reliabilityBins(decoded.topClassProbability, decoded.correct, { bins: eceBins }).forEach((bin, b) => {
          pooled[b].count += bin.count;
          pooled[b].confidenceSum += bin.confidenceSum;
          pooled[b].correct += bin.correct;
        });
      }
      if (used === 0) continue;
      for (const bin of pooled) {
        if (bin.count === 0) continue;
        reliability.push({ arm, split, lower: bin.lower, upper: bin.upper, count: bin.count, confidence: bin.confidenceSum / bin.count, accuracy: bin.correct / bin.count });
      }
    }
  }

  const bootstrapSeed = registeredBootstrapSeed(file) ?? `${file.study.name}/paired-bootstrap`;
  const lookup = (cell: string, seed: number) => finals.find((r) => r.cell === cell && r.seed === seed) ?? null;
  const paired: PairedOnSplit[] = [];
  if (file.profile === 'registered' && arms.length >= 2) {
    for (const split of ['test', 'shift'] as const) {
      if (split === 'shift' && !finals.some((r) => r.metrics.shift)) continue;
      try {
        paired.push({ split, comparison: comparePairedArms(studyOf(file), lookup, { split, bootstrapSeed }) });
      } catch (error) {
        paired.push({ split, unavailable: (error as Error).message });
      }
    }
  }

  const registered = ((design as { search?: RegisteredSearch }).search ?? null);
  let search: ArmsReportData['search'] = null;
  if (registered || trials.length > 0) {
    search = {
      registered,
      arms: arms.map((arm) => {
        const choice = byArm(arm).find((r) => r.search?.kind === 'chosen')?.search ?? null;
        const rows = trials.filter((r) => r.cell === arm && r.status === 'ok' && typeof r.metrics.validation?.accuracy === 'number')
          .map((r) => ({ arm, trial: r.search!.trial, validationAccuracy: r.metrics.validation!.accuracy, chosen: choice?.trial === r.search!.trial, settings: settingsText(r.search!.sampled) }))
          .sort((a, b) => a.trial - b.trial);
        return {
          arm, family: registered?.arms[arm]?.family ?? null, space: registered?.arms[arm]?.space ?? null, trials: rows,
          chosen: choice ? { trial: choice.trial, seed: choice.seed, sampled: choice.sampled, validationAccuracy: choice.validationAccuracy ?? null } : null,
        };
      }),
    };
  }
  return { arms, seeds, splits: splitOrder, metrics: [...metrics], confidence, eceBins, metricRows, corruptions, corruptionRows, reliability, paired, bootstrapSeed, search, finals, trials };
}

/**
 * The bootstrap seed the study registered for the paired comparison: `analysis.bootstrapSeed` when the plan has one, else
 * the seed a registered note names beside the bootstrap (e.g. "two-level paired bootstrap ... (2,000 resamples, seed
 * 2026)"); null when it names none (the comparison then uses the stream `<study>/paired-bootstrap`, and says so).
 */
export function registeredBootstrapSeed(file: VerdictsFile): number | string | null {
  const declared = (file.design.analysis as { bootstrapSeed?: number | string }).bootstrapSeed;
  if (declared !== undefined) return declared;
  for (const note of file.design.notes) {
    const match = /bootstrap[^.;]*?\bseed\s+(\d+)/i.exec(note);
    if (match) return Number(match[1]);
  }
  return null;
}

/** Settings as `name = value`, numbers to three significant digits. */
export function settingsText(settings: Record<string, number | string | boolean>): string {
  return Object.entries(settings).map(([k, v]) => `${k} = ${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : String(v)}`).join(', ');
}
