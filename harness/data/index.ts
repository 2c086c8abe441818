/**
 * The data loaders of hypotest: Fashion-MNIST (IDX), CIFAR-10 (binary) patches, seeded
 * stratified splits, registered preprocessing and distribution-shift corruptions.
 */
export {
  IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, decompressIdx, readIdxFile, encodeIdx,
  type IdxTensor, type IdxKind, type IdxFile, type ParseIdxOptions, type DecompressIdxOptions,
} from './idx.ts';
export {
  stratifiedSplit, stratifiedSubsample, gatherSplit, featureSizeOf,
  type StratifiedSplit, type ExampleTable,
} from './split.ts';
export {
  PREPROCESSING_METHODS, fitPreprocessing, applyPreprocessing, preprocessSplits, describePreprocessing,
  type Preprocessing, type FittedPreprocessing, type SplitSet,
} from './preprocess.ts';
export {
  SHIFT_KINDS, SHIFT_SEVERITIES, applyShift, applyShiftPlan, describeShift, describeShiftSplit, shiftCorruptions, shiftParams, corruptionName, isShiftPlan, checkShiftOption,
  type ShiftKind, type ShiftSpec, type ShiftPlan, type ShiftCorruption, type ShiftOption, type ImageLayout,
} from './shift.ts';
export { contactSheetSvg, encodePng, type ContactSheetOptions } from './contactSheet.ts';
export { DATA_PIPELINE_VERSION, datasetFingerprint, datasetFingerprintInputs, canonicalJson, type FingerprintParts } from './fingerprint.ts';
export { assembleSplits, type DatasetSplitOptions, type ExampleSource } from './assemble.ts';
export {
  FASHION_MNIST_FILES, FASHION_MNIST_SHA256, FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_SYSTEM_DIR, FASHION_MNIST_CACHE_DIR,
  fashionMnist, loadFashionMnistArrays, locateFashionMnist, clearFashionMnistCache,
  type FashionMnistFile, type FashionMnistOptions, type FashionMnistSourceOptions, type FashionMnistArrays, type FashionMnistOrigin,
} from './fashionMnist.ts';
export {
  CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE, CIFAR10_CLASS_NAMES, CIFAR10_SIDE, CIFAR10_RECORD_BYTES, BT601_LUMA_WEIGHTS,
  cifar10Patches, loadCifar10Arrays, readCifar10Batch, extractPatches, patchPositions, clearCifar10Cache,
  type Cifar10PatchOptions, type Cifar10SourceOptions, type Cifar10Arrays, type Cifar10Batch, type PatchPositions,
} from './cifar10.ts';
