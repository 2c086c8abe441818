/**
 * hypotest statistics: pure functions (no Vitest, no tfjs, no I/O), one estimator per file.
 * Every function validates its input and throws `InvalidInputError` (harness/errors.ts) with a
 * message naming the function, the problem and the fix.
 *
 * Dependencies run one way: estimators → tInference / factorialDesign / validate → distributions
 * (the only importer of @stdlib).
 */
export { describeSample, type SampleDescription } from './describeSample.ts';
export { meanInterval, type MeanInterval, type MeanIntervalOptions } from './meanInterval.ts';
export { welchTTest } from './welchTTest.ts';
export { studentTTest } from './studentTTest.ts';
export { pairedTTest } from './pairedTTest.ts';
export type { TTestOptions, TTestResult } from './tInference.ts';
export type { Alternative } from './validate.ts';
export {
  factorialAnova,
  type AnovaRow,
  type FactorialAnova,
  type FactorialAnovaOptions,
  type CellMean,
  type FactorDescription,
  type FactorialObservation,
  type FactorLevel,
} from './factorialAnova.ts';
export { contrastInterval, type ContrastInterval, type ContrastOptions, type ContrastWeight } from './contrastInterval.ts';
export { partialOmegaSquared, type PartialOmegaSquaredInput } from './partialOmegaSquared.ts';
export { holmAdjust } from './holmAdjust.ts';
export { benjaminiHochberg } from './benjaminiHochberg.ts';
export { bonferroniConfidence } from './bonferroniConfidence.ts';
export { cohenD } from './cohenD.ts';
export { hedgesG } from './hedgesG.ts';
export { mcnemarTest, type DiscordantCounts, type McnemarOptions, type McnemarResult } from './mcnemarTest.ts';
export { wilcoxonSignedRank, type WilcoxonOptions, type WilcoxonResult } from './wilcoxonSignedRank.ts';
export {
  pairedBootstrapInterval,
  type PairedBootstrapArgs,
  type PairedBootstrapInterval,
} from './pairedBootstrapInterval.ts';
export { minimumDetectableEffect, type MinimumDetectableEffectArgs } from './minimumDetectableEffect.ts';
export { classificationOutcomes, type ClassificationOutcomes } from './classificationOutcomes.ts';
export { macroF1 } from './macroF1.ts';
export { negativeLogLikelihood, type NegativeLogLikelihoodOptions } from './negativeLogLikelihood.ts';
export { expectedCalibrationError, type ExpectedCalibrationErrorOptions } from './expectedCalibrationError.ts';
export { reliabilityBins, type ReliabilityBin } from './reliabilityBins.ts';
export { brierScore } from './brierScore.ts';
export { CURRENT_VERDICT_RULE, judge, type ClaimDirection, type Judgement, type JudgeClaim, type JudgedVerdict, type VerdictCode, type VerdictRule } from './judge.ts';
export {
  studentTQuantile,
  studentTCdf,
  studentTUpperTail,
  fUpperTail,
  standardNormalCdf,
  standardNormalQuantile,
  chiSquareUpperTail,
  binomialCdf,
  signedRankCdf,
  signedRankUpperTail,
} from './distributions.ts';
