/**
 * hypotest's neural-network models: backend selection, the MLP, the ViT, the training loop and its helpers.
 * Everything is written with tfjs-core ops and variables (no tfjs-layers).
 */
export { initBackend, parseBackendEnv, BACKEND_NAMES, BACKEND_ENV_VAR } from './backend.ts';
export type { BackendName, BackendInfo, InitBackendOptions } from './backend.ts';
export { installWasmMatMulFix, uninstallWasmMatMulFix, isWasmMatMulFixInstalled } from './wasmMatMulFix.ts';
export { findBlas, BLAS_ENV_VAR } from './fastCpu/blas.ts';
export type { Blas, BlasSearch, BlasVendor } from './fastCpu/blas.ts';
export { FAST_CPU_BACKEND } from './fastCpu/constants.ts';
export { ensureGradients } from './gradients.ts';
export type { Classifier, Parameter } from './classifier.ts';
export { createMlp, gelu } from './mlp.ts';
export type { Mlp, MlpArgs, MlpActivation } from './mlp.ts';
export { createAdamW } from './adamw.ts';
export type { AdamW, AdamWOptions } from './adamw.ts';
export { trainClassifier, evaluateClassifier, freezeClassifier, meanCrossEntropy, weightsFingerprint } from './train.ts';
export type { TrainOptions, TrainResult, TrainStats, FrozenClassifier } from './train.ts';
export { trainMlp, MLP_DEFAULTS } from './trainMlp.ts';
export type { MlpCellConfig, TrainMlpOptions } from './trainMlp.ts';
export { createVit, layerNorm, patchIndices, VIT_LAYER_NORM_EPSILON } from './vit.ts';
export type { Vit, VitArgs } from './vit.ts';
export { trainVit, MissingSettingError, VIT_REQUIRED_SETTINGS } from './trainVit.ts';
export type { VitCellConfig, TrainVitOptions } from './trainVit.ts';
export { createProgressPrinter } from '../progress.ts';
export type { ProgressPrinterOptions } from '../progress.ts';
export { trainXgboost, trainBooster, loadXgboost, XGBOOST_SETTINGS, XGBOOST_SEED_EFFECT, XGBOOST_ENV_VAR } from './gbt.ts';
export type { Booster, BoosterData, RoundLog, TrainBoosterOptions, TrainXgboostOptions, XgboostCellConfig, XgboostLibrary, XgboostParams } from './gbt.ts';
