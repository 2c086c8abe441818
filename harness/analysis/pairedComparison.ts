import { AnalysisError } from '../errors.ts';
import { decodePredictions } from '../metrics.ts';
import type { Study } from '../study.ts';
import type { RecordLookup, RunRecord } from '../store.ts';
import { mcnemarTest, pairedBootstrapInterval, pairedTTest } from '../stats/index.ts';
import { chooseTopTwo } from './effects.ts';
import { runMetric } from './runMetric.ts';

/** Options of {@link comparePairedArms}. */
export interface PairedComparisonOptions {
  /** The sealed split compared (`test`, or `shift` for the pooled shift split); `validation` for quick and pilot runs. */
  readonly split: 'test' | 'shift' | 'validation';
  /** The two arms compared; default: the top two on validation accuracy (never on the split compared). */
  readonly arms?: readonly [string, string];
  /** Confidence of the paired t and bootstrap intervals, a fraction. Default: the study's analysis confidence. */
  readonly confidence?: number;
  /** Bootstrap resamples. Default 2,000. */
  readonly resamples?: number;
  /** Seed of the bootstrap's random stream (a registered constant, never a clock). */
  readonly bootstrapSeed: number | string;
}

/** One seed's McNemar diagnostic: discordant counts of the two arms' runs with that seed on the same examples. */
export type McnemarBySeed =
  | { seed: number; onlyBest: number; onlySecond: number; statistic: number; pValue: number; exact: boolean }
  | { seed: number; unavailable: string };

/**
 * The paired comparison of two arms over seed-matched runs, JSON-safe. Accuracy and its differences are in percent
 * and percentage points (pp); p-values and confidences are fractions.
 */
export interface PairedComparison {
  split: 'test' | 'shift' | 'validation';
  metric: 'accuracy';
  unit: 'pp';
  best: string;
  second: string;
  /** Mean validation accuracy (percent) of every arm, from which `best` and `second` were chosen. */
  validationMeans: Record<string, number>;
  /** Whether `best` and `second` were chosen on validation (true) or named by the caller. */
  chosenOnValidation: boolean;
  /** Per seed: both arms' accuracy on the split (percent) and best − second (pp). */
  perSeed: { seed: number; best: number; second: number; difference: number }[];
  /** Primary: paired t over seeds (Student t on the per-seed differences). */
  pairedT: { estimate: number; lower: number; upper: number; confidence: number; df: number; standardError: number; pValue: number };
  /** Sensitivity: two-level paired bootstrap (seeds, then the split's examples), percentile interval, in pp. */
  bootstrap: { estimate: number; lower: number; upper: number; confidence: number; resamples: number; seed: number | string; standardError: number } | { unavailable: string };
  /** Diagnostic: McNemar per seed (exact binomial when fewer than 25 discordant examples, else continuity-corrected χ²). */
  mcnemar: McnemarBySeed[];
}

/** Below this many discordant examples McNemar's χ² approximation is poor and the exact binomial version is used (Fagerland et al. 2013). */
const EXACT_BELOW = 25;

/**
 * Compares two arms of a study on one split as DESIGN.md's statistics rules ask: paired t over the seed-matched runs
 * (primary), a two-level paired bootstrap over seeds and then the split's examples (sensitivity,
 * {@link pairedBootstrapInterval}), and McNemar per seed (diagnostic, {@link mcnemarTest}). Unless `arms` names them,
 * the two arms are the top two by mean validation accuracy (ties: the study's cell order), never chosen on the split
 * compared. Per-example correctness comes from the records' stored predictions; a run without them (a diverged run, or
 * validation, whose per-example predictions are not stored) makes the bootstrap and that seed's McNemar unavailable,
 * with the reason, while the paired t still uses every run (diverged runs at chance, by the `substitute-chance` rule,
 * or refused).
 *
 * References: paired t — R `t.test(a, b, paired = TRUE)`; bootstrap — Davison & Hinkley (1997) §3.8;
 * McNemar (1947), R `mcnemar.test` / `binom.test`.
 *
 * @throws {AnalysisError} when a run is missing, the study has fewer than two arms or two seeds, a named arm is
 *   unknown, or a diverged run enters under the `mark-inconclusive` rule (the comparison is then not made).
 * @example
 * comparePairedArms(study, lookup, { split: 'test', bootstrapSeed: 2026 }).pairedT // { estimate: 1.2, lower: 0.4, ... }
 */
export function comparePairedArms(study: Study, records: RecordLookup, options: PairedComparisonOptions): PairedComparison {
  const where = `comparePairedArms (study '${study.name}', ${options.split})`;
  if (study.cellIds.length < 2) throw new AnalysisError(`${where}: the study has ${study.cellIds.length} arm; a paired comparison needs two. Fix: declare at least two arms.`);
  if (study.seeds.length < 2) throw new AnalysisError(`${where}: one seed gives no interval. Fix: register at least two seeds.`);
  const table = new Map<string, RunRecord>();
  const missing: string[] = [];
  for (const cellId of study.cellIds) for (const seed of study.seeds) {
    const record = records(cellId, seed);
    if (record) table.set(`${cellId}/${seed}`, record);
    else missing.push(`${cellId}/seed-${seed}`);
  }
  if (missing.length) throw new AnalysisError(`${where}: ${missing.length} of ${study.cellIds.length * study.seeds.length} pre-registered runs missing (${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''}). Fix: run the study to completion first; nothing partial is compared.`);
  const divergedAs = study.diverged.rule === 'substitute-chance' ? 'chance' : 'missing';
  const value = (cellId: string, seed: number, split: 'test' | 'shift' | 'validation'): number => {
    const record = table.get(`${cellId}/${seed}`)!;
    const found = runMetric(record, split, 'accuracy', divergedAs);
    if (found === null) {
      throw new AnalysisError(record.status === 'diverged'
        ? `${where}: run ${cellId}/seed-${seed} diverged and the registered rule (mark-inconclusive) leaves it out, so the seed-matched comparison cannot be made. Fix: none; report the comparison as not made.`
        : `${where}: run ${cellId}/seed-${seed} has no ${split} accuracy (profile ${record.profile}). Fix: compare on a split the runs were evaluated on.`);
    }
    return found;
  };

  const chosen = chooseTopTwo(study, (cellId, s) => value(cellId, s, 'validation'));
  const { validationMeans } = chosen;
  let best: string, second: string;
  if (options.arms) {
    [best, second] = options.arms;
    for (const arm of options.arms) if (!study.cellIds.includes(arm)) throw new AnalysisError(`${where}: no arm '${arm}'. Fix: name two of ${study.cellIds.join(', ')}.`);
    if (best === second) throw new AnalysisError(`${where}: compares '${best}' with itself. Fix: name two different arms.`);
  } else {
    ({ best, second } = chosen);
  }

  const confidence = options.confidence ?? study.analysis.confidence;
  const perSeed = study.seeds.map((seed) => {
    const a = value(best, seed, options.split);
    const b = value(second, seed, options.split);
    return { seed, best: a, second: b, difference: a - b };
  });
  const t = pairedTTest(perSeed.map((p) => p.best), perSeed.map((p) => p.second), { alternative: 'two-sided', confidence });

  const correct = (cellId: string, seed: number): Uint8Array | string => {
    const record = table.get(`${cellId}/${seed}`)!;
    if (record.status === 'diverged') return `run ${cellId}/seed-${seed} diverged (no predictions)`;
    const stored = record.predictions?.[options.split as 'test' | 'shift'];
    if (!stored) return `run ${cellId}/seed-${seed} stores no per-example ${options.split} predictions`;
    return decodePredictions(stored).correct;
  };
  const mcnemar: McnemarBySeed[] = [];
  const perExampleA: Uint8Array[] = [];
  const perExampleB: Uint8Array[] = [];
  let bootstrapProblem: string | null = null;
  for (const seed of study.seeds) {
    const a = correct(best, seed);
    const b = correct(second, seed);
    if (typeof a === 'string' || typeof b === 'string') {
      const reason = typeof a === 'string' ? a : (b as string);
      bootstrapProblem ??= reason;
      mcnemar.push({ seed, unavailable: reason });
      continue;
    }
    if (a.length !== b.length) {
      const reason = `runs ${best}/seed-${seed} and ${second}/seed-${seed} cover ${a.length} and ${b.length} examples`;
      bootstrapProblem ??= reason;
      mcnemar.push({ seed, unavailable: reason });
      continue;
    }
    perExampleA.push(a);
    perExampleB.push(b);
    let onlyBest = 0;
    let onlySecond = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] && !b[i]) onlyBest++;
      else if (b[i] && !a[i]) onlySecond++;
    }
    if (onlyBest + onlySecond === 0) {
      mcnemar.push({ seed, unavailable: 'the two runs agree on every example (no discordant pairs)' });
      continue;
    }
    const exact = onlyBest + onlySecond < EXACT_BELOW;
    const result = mcnemarTest({ onlyA: onlyBest, onlyB: onlySecond }, { exact });
    mcnemar.push({ seed, onlyBest, onlySecond, statistic: result.statistic, pValue: result.pValue, exact });
  }
  const resamples = options.resamples ?? 2000;
  let bootstrap: PairedComparison['bootstrap'];
  if (bootstrapProblem !== null) bootstrap = { unavailable: bootstrapProblem };
  else {
    const interval = pairedBootstrapInterval({ perExampleA, perExampleB, confidence, resamples, seed: options.bootstrapSeed });
    bootstrap = {
      estimate: 100 * interval.estimate, lower: 100 * interval.lower, upper: 100 * interval.upper, confidence, resamples,
      seed: options.bootstrapSeed, standardError: 100 * interval.standardError,
    };
  }
  return {
    split: options.split, metric: 'accuracy', unit: 'pp', best, second, validationMeans, chosenOnValidation: !options.arms, perSeed,
    pairedT: { estimate: t.estimate, lower: t.lower, upper: t.upper, confidence, df: t.df, standardError: t.standardError, pValue: t.pValue },
    bootstrap, mcnemar,
  };
}
