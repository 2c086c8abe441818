/**
 * Every error hypotest throws is a {@link HypotestError}. Each subclass names one kind of
 * failure; its message names the API, the problem and the fix.
 *
 * @example
 * try { meanInterval([], { confidence: 0.95 }) } catch (e) { if (e instanceof InvalidInputError) ... }
 */
export class HypotestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad arguments to a statistics function or other pure helper (empty, NaN, wrong length). */
export class InvalidInputError extends HypotestError {}

/** A study declaration (`defineStudy`) is malformed; the message names the field and the fix. */
export class StudyDefinitionError extends HypotestError {}

/** A cell file names a cell the study does not declare, or runs seeds the study did not name. */
export class CellRegistrationError extends HypotestError {}

/** Experiment code asked for a sealed split (test or shift). */
export class SealedSplitError extends HypotestError {}

/** Experiment code tried to change the data it was handed (`ExperimentData` and its splits are read-only). */
export class ReadOnlyDataError extends HypotestError {}

/** A frozen model's `predict()` returned something other than `count × numClasses` probabilities in a Float32Array. */
export class PredictionOutputError extends HypotestError {}

/** An environment setting (`HYPOTEST_PROFILE`, `HYPOTEST_BACKEND`, ...) has a value hypotest does not know. */
export class ConfigurationError extends HypotestError {}

/** The registered profile was asked to run a study that has no lock. */
export class UnlockedStudyError extends HypotestError {}

/** A pre-registration file changed after the lock without a recorded deviation. */
export class LockMismatchError extends HypotestError {}

/** `prereg.lock.json` is unreadable, not a hypotest lock, or was edited by hand (its hash does not match its files). */
export class LockFileError extends HypotestError {}

/**
 * `hypotest merge` refused to gather the shards' records: a record or audit entry of another lock, another run key or
 * another study, a torn or unreadable file, or the same run stored with different bytes (two shards ran it, or it differs
 * from the store). Nothing was written; the message names the file and the fix.
 */
export class ShardMergeError extends HypotestError {}

/** A command or check named a study that does not exist (no `experiments/<study>/study.ts`); the message lists the studies. */
export class UnknownStudyError extends HypotestError {}

/** A cell the study declares has no `cells/<cell>.exp.ts`: nothing says what it trains, so its runs are never judged. */
export class MissingCellFileError extends HypotestError {}

/**
 * A registered run would open a sealed split while `prereg.lock.json` is not committed, or differs from its committed
 * version, so the order (lock first, then the sealed splits) could not be shown from git.
 */
export class UncommittedLockError extends HypotestError {}

/** `hypotest lock` was asked to lock a study that already has a lock (a relock is a deviation, not a rewrite). */
export class AlreadyLockedError extends HypotestError {}

/** A study cannot be locked yet: a required pre-registration file (study.ts, hypotheses.exp.ts, a cell) is missing. */
export class IncompletePreregistrationError extends HypotestError {}

/** A deviations.json file is malformed. */
export class DeviationError extends HypotestError {}

/** A data file is missing, truncated, corrupt or has the wrong checksum. */
export class DatasetError extends HypotestError {}

/** A stored run record is unreadable or of an unknown schema. */
export class RunRecordError extends HypotestError {}

/**
 * A stored run record is damaged: not JSON, or its bytes no longer match the checksum written with it. `path` is where
 * it was found; the harness moves it aside (never deletes or overwrites it) and says how to restore or rerun it.
 */
export class CorruptRecordError extends RunRecordError {
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

/** A hypothesis declaration is malformed (unknown factor, level, arm or metric). */
export class HypothesisDefinitionError extends HypotestError {}

/** A descriptive or paired analysis of stored runs cannot be made (missing runs, unknown arms, too few seeds). */
export class AnalysisError extends HypotestError {}

/** A model or training setup is invalid (bad shapes, unknown activation, backend missing). */
export class ModelError extends HypotestError {}

/** A hypothesis could not be judged (missing runs or a failed analysis): the run's integrity is at stake. */
export class HypothesisNotJudgedError extends HypotestError {}

/** Strict mode (`HYPOTEST_STRICT=1`): a refuted or inconclusive verdict fails the run. */
export class StrictVerdictError extends HypotestError {}

/** The XGBoost shared library (`libxgboost`, C API) is missing or unusable; the message says what to install. */
export class XgboostUnavailableError extends ModelError {}

/**
 * A cell's own code failed: its train function threw, or its frozen model's `predict()` threw. The message names
 * the study, the cell and the seed (so a run of many cells says which one broke) and the original error is kept as
 * `cause`.
 */
export class TrainingError extends HypotestError {
  readonly study: string;
  readonly cell: string;
  readonly seed: number;
  constructor(message: string, where: { study: string; cell: string; seed: number }, options: { cause: unknown }) {
    super(message);
    this.study = where.study;
    this.cell = where.cell;
    this.seed = where.seed;
    this.cause = options.cause;
  }
}

/** A study's `search` is malformed (an arm, a space, the seeds, the budget or its calibration); a {@link StudyDefinitionError}. */
export class SearchDefinitionError extends StudyDefinitionError {}

/** A final run of a searched arm found a search trial it needs neither stored nor run: the trials run first, in the cell's file. */
export class MissingSearchTrialError extends HypotestError {}

/** A search could not choose a configuration: every trial of the arm diverged. */
export class SearchSelectionError extends HypotestError {}

/**
 * A metric asked of a run record that neither stores it nor keeps the per-example data to compute it (e.g. the ECE of a
 * record written before per-example confidences were stored, or any missing metric of the validation split).
 */
export class MetricUnavailableError extends AnalysisError {}
