import { relative } from 'node:path';
import { describe, test, type TestContext } from 'vitest';
import { renderSvg } from './figures/render.ts';
import { runCurveSpec } from './figures/specs.ts';
import { CellRegistrationError, LockMismatchError, ModelError } from './errors.ts';
import { assertLockHolds } from './lock.ts';
import { findStoredRun } from './recordLookup.ts';
import { findRunToTrain } from './integrity.ts';
import { faultPoint } from './faults.ts';
import { evaluatePredictions, encodePredictions, type MetricValues } from './metrics.ts';
import { budgetFor, cellsFor, currentProfile, seedsFor } from './profile.ts';
import { evaluateSealed, experimentView, loadDatasetOnce, predictSplit } from './seal.ts';
import type { RunSummary } from './meta.ts';
import { SCHEMA_VERSION, writeRecord, type RunRecord } from './store.ts';
import { HARNESS_DIR } from './studyFiles.ts';
import { eceBinsOf, hypotestRoot, type CellConfig, type Study } from './study.ts';
import type { EpochLog, Split, TrainContext, TrainOutcome } from './types.ts';
import { createProgressPrinter } from './progress.ts';
import { subsampleSplit } from './subsample.ts';
import { runUserTraining } from './userCode.ts';
import { findStoredTrial, formatSettings, searchedConfiguration, searchTrialsFor, type SearchChoice, type SearchedRunRecord, type SearchTrialMark } from './search.ts';
import { debianPackagesInUse } from './system/debianFetch.ts';
import { gitState, HARNESS_VERSION, machineDescription, sha256 } from './util.ts';

/** A cell's training function: train on `ctx.data` (train and validation only), return a frozen model or a divergence. */
export type TrainFunction<Config extends CellConfig> = (ctx: TrainContext<Config>) => Promise<TrainOutcome>;

export interface CellOptions<Config extends CellConfig> {
  train: TrainFunction<Config>;
  /** Must be omitted or equal to the study's seeds; a cell never runs seeds the study did not name. */
  seeds?: readonly number[];
}

/**
 * Registers one cell of a study: one Vitest test per pre-registered seed. Each test reuses a stored
 * record whose key matches, or trains (train and validation data only), evaluates the frozen model
 * (sealed splits under the registered profile, audited) and stores an immutable run record.
 * When the study declares a `search`, one test per search trial ("search trial k") runs first (registered: every
 * trial; quick: the first `quickTrials`; pilot: none): each trains the trial's sampled config with its search seed and
 * is scored on validation only, never on a sealed split; the seeds then train the config of the best trial.
 *
 * @throws CellRegistrationError when the cell is not declared by the study or asks for other seeds.
 * @example
 * cell(study, 'd2-relu-wd0', { train: (ctx) => trainMlp(ctx) })
 */
export function cell<Config extends CellConfig>(study: Study<Config>, id: string, options: CellOptions<Config> | TrainFunction<Config>): void {
  const opts: CellOptions<Config> = typeof options === 'function' ? { train: options } : options;
  if (!study || typeof study.levelsOf !== 'function') {
    throw new CellRegistrationError(`cell('${id}'): the first argument is not a study. Fix: import the default export of ../study.ts and pass it.`);
  }
  if (!study.cellIds.includes(id)) {
    throw new CellRegistrationError(`cell('${id}'): study '${study.name}' declares no cell '${id}'. Fix: add it to the study's cells (a pre-registration change), or rename this file's cell to one of: ${study.cellIds.join(', ')}.`);
  }
  if (typeof opts.train !== 'function') throw new CellRegistrationError(`cell('${id}'): no train function. Fix: cell(study, '${id}', { train: async (ctx) => ... }).`);
  if (opts.seeds !== undefined) {
    const extra = opts.seeds.filter((s) => !study.seeds.includes(s));
    const missing = study.seeds.filter((s) => !opts.seeds!.includes(s));
    if (extra.length || missing.length) {
      throw new CellRegistrationError(
        `cell('${id}'): runs seeds ${JSON.stringify(opts.seeds)} but study '${study.name}' registered ${JSON.stringify(study.seeds)}` +
          `${extra.length ? ` (not registered: ${extra.join(', ')})` : ''}${missing.length ? ` (missing: ${missing.join(', ')})` : ''}. Fix: remove the seeds option; every cell runs exactly the study's seeds.`,
      );
    }
  }
  const profile = currentProfile();
  describe(`${study.name} / ${id}`, () => {
    if (!cellsFor(study, profile).includes(id)) {
      test.skip(`not a pilot cell (${profile} profile)`, () => {});
      return;
    }
    for (let trial = 1; trial <= searchTrialsFor(study, profile); trial++) {
      test(`search trial ${trial}`, async (context) => {
        await runOne(study, id, { kind: 'trial', trial }, opts.train, context);
      });
    }
    for (const seed of seedsFor(study, profile)) {
      test(`seed ${seed}${profile === 'pilot' ? ' (pilot)' : ''}`, async (context) => {
        await runOne(study, id, { kind: 'final', seed }, opts.train, context);
      });
    }
  });
}

/** A final run (a registered seed, trained with the cell's config or its search's choice), or one search trial (validation only). */
type RunPlan = { kind: 'final'; seed: number } | { kind: 'trial'; trial: number };

async function runOne<Config extends CellConfig>(study: Study<Config>, cellId: string, plan: RunPlan, train: TrainFunction<Config>, context: TestContext): Promise<void> {
  const profile = currentProfile();
  const root = hypotestRoot();
  const studyDir = study.directory(root);
  // The strict lock check (also: every declared cell has its file) before anything is reused or trained.
  const lock = profile === 'registered' ? assertLockHolds(studyDir, study.name, { cells: study.cellIds }).lock : null;
  const budget = budgetFor(study, profile);
  const lockHash = lock?.hash ?? null;
  // A trial trains its sampled config with its search seed; a final run the cell's config, or the search's choice
  // (read from the stored trials: MissingSearchTrialError when one is not there).
  let seed: number;
  let config: Config;
  let search: SearchTrialMark | SearchChoice | null;
  let stored: { key: string; path: string; cellFiles: Record<string, string>; record: SearchedRunRecord | null };
  if (plan.kind === 'trial') {
    const trial = findStoredTrial(root, { study, cell: cellId, trial: plan.trial, profile, lockHash });
    seed = trial.seed;
    config = trial.config as Config;
    search = { kind: 'trial', trial: plan.trial, seed, sampled: trial.sampled };
    stored = trial;
  } else {
    const chosen = searchedConfiguration(root, { study, cell: cellId, profile, lockHash });
    seed = plan.seed;
    config = chosen.config as Config;
    search = chosen.choice;
    stored = findRunToTrain(root, { study, cell: cellId, seed, profile, lockHash, config });
  }
  const { key, path, cellFiles, record: existing } = stored;
  const searchNote = search ? `${describeSearch(search, searchTrialsFor(study, profile))} · ` : study.search && profile === 'pilot' ? 'the registered default config (the pilot runs no search) · ' : '';
  const kind = plan.kind === 'trial' ? 'search trial' : 'run';
  if (existing) {
    if (plan.kind === 'final') context.task.meta.hypotestRun = summary(existing, path, true);
    await context.annotate(`${searchNote}${PROFILE_NOTE[profile]}: ${existing.status === 'diverged' ? 'diverged; ' : ''}${formatMetrics(existing.metrics)} · ${relative(root, path)}`, `${kind}: reused${existing.status === 'diverged' ? ' (diverged)' : ''}`, await curveAttachment(existing));
    return;
  }

  // This run will open the sealed splits: git must show the lock committed and unmodified first (outside git: unverifiable, recorded).
  const lockOrder = lock && plan.kind === 'final' ? assertLockHolds(studyDir, study.name, { cells: study.cellIds, openSealed: true }).order ?? null : null;
  const splits = await loadDatasetOnce(study.dataset);
  if (lock && splits.fingerprint !== lock.dataset.fingerprint) {
    throw new LockMismatchError(`study '${study.name}': the dataset's fingerprint ${splits.fingerprint.slice(0, 12)}… differs from the lock's ${lock.dataset.fingerprint.slice(0, 12)}…, so the data is not the registered data. Fix: restore the registered dataset files or parameters.`);
  }
  const trainSplit = budget.trainExamples ? subsampleSplit(splits.train, budget.trainExamples, `${study.name}/train`) : splits.train;
  const validationSplit = budget.validationExamples ? subsampleSplit(splits.validation, budget.validationExamples, `${study.name}/validation`) : splits.validation;

  const curve: EpochLog[] = [];
  const environment: Record<string, unknown> = {};
  const startedAt = new Date();
  const printProgress = createProgressPrinter({ cell: cellId, seed, epochs: budget.epochs });
  const ctx: TrainContext<Config> = Object.freeze({
    study: study.name, cell: cellId, seed, profile, config, budget,
    data: experimentView(trainSplit, validationSplit),
    onEpoch(log: EpochLog) {
      curve.push({ ...log });
      printProgress(log);
    },
    recordEnvironment(info: Record<string, unknown>) { Object.assign(environment, info); },
  });

  // Errors from the cell's own code (train, or its model's predict) name the study, cell and seed: TrainingError.
  const outcome = await runUserTraining(train, ctx);
  const trainSeconds = (Date.now() - startedAt.getTime()) / 1000;
  if (!outcome || (outcome.status !== 'ok' && outcome.status !== 'diverged')) {
    throw new ModelError(`cell '${cellId}': train() returned ${JSON.stringify(outcome)?.slice(0, 80)}. Fix: return { status: 'ok', model } or { status: 'diverged', divergence }.`);
  }
  const evaluateStart = Date.now();
  const metrics: RunRecord['metrics'] = {};
  const predictions: RunRecord['predictions'] = {};
  const groupMetrics: NonNullable<RunRecord['groupMetrics']> = {};
  const evaluation = { eceBins: eceBinsOf(study) };
  let modelFingerprint: string | null = null;
  if (outcome.status === 'ok') {
    const model = outcome.model;
    try {
      const validationProbabilities = await predictSplit(model, validationSplit);
      metrics.validation = evaluatePredictions(validationProbabilities, validationSplit.labels, validationSplit.numClasses, evaluation).metrics;
      modelFingerprint = (await model.fingerprint?.()) ?? sha256(new Uint8Array(validationProbabilities.buffer));
      // Search trials are scored on validation only, under every profile.
      if (lock && plan.kind === 'final') {
        const sealed: ['test' | 'shift', Split][] = [['test', splits.test]];
        if (splits.shift) sealed.push(['shift', splits.shift]);
        for (const [splitName, split] of sealed) {
          const result = await evaluateSealed({ root, study: study.name, cell: cellId, seed, lockHash: lock.hash, modelFingerprint, model, split, splitName, evaluation });
          metrics[splitName] = result.metrics;
          predictions[splitName] = encodePredictions(result.examples, split.labels, split.groupNames);
          if (result.byGroup) groupMetrics[splitName] = result.byGroup;
        }
      }
    } finally {
      model.dispose?.();
    }
  }
  const git = gitState(root);
  const harnessGit = gitState(HARNESS_DIR);
  const fetchedPackages = debianPackagesInUse();
  const record: SearchedRunRecord = {
    schemaVersion: SCHEMA_VERSION, key, study: study.name, cell: cellId, seed, profile, lockHash: lock?.hash ?? null, cellFiles, lockOrder,
    config: config as Record<string, unknown>, budget, ...(search ? { search } : {}),
    status: outcome.status,
    ...(outcome.status === 'diverged' ? { divergence: outcome.divergence } : {}),
    metrics, ...(Object.keys(groupMetrics).length > 0 ? { groupMetrics } : {}), predictions, numClasses: splits.train.numClasses, modelFingerprint, curve,
    timings: { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), trainSeconds, evaluateSeconds: (Date.now() - evaluateStart) / 1000 },
    environment: {
      ...machineDescription(), backend: String(environment.backend ?? 'unknown'), harnessVersion: HARNESS_VERSION,
      gitCommit: git.commit, gitDirty: git.dirty, harnessCommit: harnessGit.commit, harnessDirty: harnessGit.dirty,
      // Debian packages this worker fetched without root (dataset, native libraries): name, version, sha256. Absent when none.
      ...(fetchedPackages.length > 0 ? { debianPackages: fetchedPackages } : {}),
      ...environment,
    },
  };
  faultPoint('sealed-before-record');
  const { archived } = writeRecord(path, record);
  if (plan.kind === 'final') context.task.meta.hypotestRun = summary(record, path, false);
  await context.annotate(
    `${searchNote}${PROFILE_NOTE[profile]}: ${record.status === 'diverged' ? `diverged at epoch ${record.divergence?.epoch} (${record.divergence?.reason}); handled by the study's registered rule` : formatMetrics(metrics)} · ${relative(root, path)}` +
      `${archived ? ` (the previous record, made with another key, was moved to ${relative(root, archived)})` : ''}`,
    record.status === 'diverged' ? `${kind}: diverged` : `${kind}: trained`,
    await curveAttachment(record),
  );
}

/** The run's learning curve as an inline SVG attachment (none without a curve; a figure never fails a run). */
async function curveAttachment(record: RunRecord): Promise<{ contentType: string; body: Buffer } | undefined> {
  if (record.curve.length === 0) return undefined;
  try {
    return { contentType: 'image/svg+xml', body: Buffer.from(await renderSvg(runCurveSpec({ cell: record.cell, seed: record.seed, curve: record.curve }))) };
  } catch {
    return undefined;
  }
}

/** The annotation's note on a search: the trial and its sampled settings, or the chosen trial of a final run. */
function describeSearch(search: SearchTrialMark | SearchChoice, trials: number): string {
  if (search.kind === 'trial') return `search trial ${search.trial} of ${trials} (seed ${search.seed}, validation only): ${formatSettings(search.sampled)}`;
  return `config chosen by the search: trial ${search.trial} of ${search.trials} (validation ${search.validationAccuracy.toFixed(2)}%): ${formatSettings(search.sampled)}`;
}

const PROFILE_NOTE: Record<string, string> = {
  registered: 'registered profile',
  quick: 'quick profile (validation only)',
  pilot: 'pilot profile (validation only)',
};

function summary(record: RunRecord, path: string, reused: boolean): RunSummary {
  return { study: record.study, cell: record.cell, seed: record.seed, profile: record.profile, status: record.status, reused, metrics: record.metrics, path };
}

function formatMetrics(metrics: Partial<Record<string, MetricValues>>): string {
  return Object.entries(metrics).map(([split, m]) => `${split} acc ${m!.accuracy.toFixed(2)}% nll ${m!.nll.toFixed(4)}`).join('; ');
}
