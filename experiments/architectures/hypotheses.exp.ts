/**
 * The registered hypotheses of the architectures study, as assertions over effects with intervals.
 * Units: accuracy and expected calibration error in percentage points (pp). "The top two" are the two arms with the
 * highest mean validation accuracy over the 5 final seeds (chosen on validation, never on the split compared; shown
 * in every report). All six confirmatory claims form one family: each is decided by its Bonferroni-adjusted interval
 * (99.17%), Holm p-values beside.
 */
import { hypothesis, pairedDifference, shiftDrop, topTwoOnValidation } from '../../harness/index.ts';
import study from './study.ts';

const TOP_TWO_REASON =
  'one percentage point: below it a lab would not adopt a different model family (with its own tooling and tuning) for this task; ' +
  'it is also above the ±0.65 pp binomial margin of a single evaluation on the 10,000 test images';

hypothesis(study, {
  id: 'H1',
  claim: 'The best arm beats the second best on test accuracy by more than 1 pp (both chosen on validation)',
  effect: topTwoOnValidation(),
  direction: 'greater',
  sesoi: 1,
  sesoiReason: TOP_TWO_REASON,
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'H2',
  claim: 'The same two arms: the better on validation also beats the other on the shift split by more than 1 pp',
  effect: topTwoOnValidation(),
  split: 'shift',
  direction: 'greater',
  sesoi: 1,
  sesoiReason: `${TOP_TWO_REASON}; the same threshold under shift, so that a ranking that holds on clean images but not on corrupted ones shows`,
  family: 'confirmatory',
});

const DROP_REASON =
  'five percentage points: a smaller loss under these mild, label-preserving corruptions (a person still reads every image) would ' +
  'count as robust in practice; a larger one means the model should not be deployed where images are noisy, blurred, rotated or off-centre';

hypothesis(study, {
  id: 'H3',
  claim: 'The MLP loses more than 5 pp of accuracy from the test split to the shift split',
  effect: shiftDrop('mlp'),
  direction: 'greater',
  sesoi: 5,
  sesoiReason: `${DROP_REASON}. Direction: a fully connected network on raw pixels has no built-in tolerance to translation or rotation.`,
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'H4',
  claim: 'The tiny ViT loses more than 5 pp of accuracy from the test split to the shift split',
  effect: shiftDrop('vit'),
  direction: 'greater',
  sesoi: 5,
  sesoiReason: `${DROP_REASON}. Direction: 7×7 patches with learned positions give only partial tolerance to a 2-pixel shift or a 30° rotation.`,
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'H5',
  claim: 'Gradient-boosted trees lose more than 5 pp of accuracy from the test split to the shift split',
  effect: shiftDrop('xgboost'),
  direction: 'greater',
  sesoi: 5,
  sesoiReason: `${DROP_REASON}. Direction: trees split on single pixel values, which every corruption moves.`,
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'H6',
  claim: 'The top two arms are equally well calibrated on test: their expected calibration errors differ by less than 1 pp',
  effect: topTwoOnValidation(),
  metric: 'ece',
  direction: 'equivalent',
  sesoi: 1,
  sesoiReason:
    'one point of top-label calibration error (15 bins): below it, a user thresholding the predicted confidence would not treat the ' +
    'two models differently',
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'E1',
  claim: 'Exploratory: the tiny ViT versus the MLP on test accuracy',
  effect: pairedDifference('vit', 'mlp'),
  direction: 'greater',
  sesoi: 1,
  sesoiReason: TOP_TWO_REASON,
  family: 'exploratory',
});

hypothesis(study, {
  id: 'E2',
  claim: 'Exploratory: gradient-boosted trees versus the MLP on test accuracy',
  effect: pairedDifference('xgboost', 'mlp'),
  direction: 'greater',
  sesoi: 1,
  sesoiReason: TOP_TWO_REASON,
  family: 'exploratory',
});

hypothesis(study, {
  id: 'E3',
  claim: 'Exploratory: the top two on test macro-F1',
  effect: topTwoOnValidation(),
  metric: 'macroF1',
  direction: 'greater',
  sesoi: 1,
  sesoiReason: `${TOP_TWO_REASON}; macro-F1 weighs every class equally, so a gap carried by one easy class shows here`,
  family: 'exploratory',
});
