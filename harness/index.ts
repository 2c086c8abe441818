/**
 * hypotest: the one import an experiment file needs.
 *
 * @example
 * import { defineStudy, factorialCells, cell, hypothesis, contrast } from '../../harness/index.ts';
 */
export { defineStudy, factorialCells, METRICS, DEFAULT_ECE_BINS, type Study, type StudyInput, type MetricName, type CellConfig } from './study.ts';
export { cell, type CellOptions, type TrainFunction } from './cell.ts';
export {
  logUniform, uniform, integerUniform, choice, searchSummary, readSearchRecords, renderSearchSummary,
  type SearchPlan, type SearchArm, type SearchDistribution, type SearchCalibration, type SearchValue, type SearchSummary, type SearchChoice, type SearchedRunRecord,
} from './search.ts';
export { hypothesis } from './hypothesis.ts';
export { verdictLine } from './verdictLine.ts';
export type { PilotMeta, RunSummary, StudyDesign, VerdictMeta } from './meta.ts';
export { contrast, pairedDifference, shiftDrop, topTwoOnValidation, type HypothesisSpec, type HypothesisResult, type Verdict } from './analysis/index.ts';
export { createRandom, deriveSeed } from './random.ts';
export * from './errors.ts';
export type * from './types.ts';
export { fashionMnist, cifar10Patches, applyShiftPlan, SHIFT_KINDS, type FashionMnistOptions, type ShiftPlan, type ShiftSpec, type ShiftOption, type ShiftCorruption, type ShiftKind } from './data/index.ts';
export { trainMlp, MLP_DEFAULTS, type MlpCellConfig, trainVit, MissingSettingError, type VitCellConfig, trainXgboost, XGBOOST_SEED_EFFECT, type XgboostCellConfig } from './models/index.ts';
