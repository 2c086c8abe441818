/**
 * The analysis of a study's run records, pure (no Vitest, no I/O): effects and contrast weights, hypothesis
 * specs and their validation, judging a study, the study summary and the design's sensitivity. Every statistic
 * comes from `harness/stats`.
 */
export { contrast, contrastCellWeights, pairedDifference, shiftDrop, topTwoOnValidation, type CellWeight, type ContrastEffect, type Effect, type PairedEffect, type ShiftDropEffect, type TopTwoEffect } from './effects.ts';
export { decidingConfidence, validateHypothesis, type HypothesisSpec } from './hypothesisSpec.ts';
export { runMetric, type DivergedAs, type RunMetricOptions } from './runMetric.ts';
export { analyseStudy, type HypothesisResult, type ResultCode, type Verdict, type VerdictRuleOptions } from './judgeStudy.ts';
export { familyAdjustedPValues } from './familyAdjust.ts';
export { summariseStudy, type CellSummary, type StudySummary } from './studySummary.ts';
export { comparePairedArms, type McnemarBySeed, type PairedComparison, type PairedComparisonOptions } from './pairedComparison.ts';
export { designSensitivity, type DesignSensitivityOptions, type SensitivityResult } from './designSensitivity.ts';
export type { RecordLookup } from '../store.ts';
