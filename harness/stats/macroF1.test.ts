import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { referenceCases } from '../../fixtures/stats/classificationMetrics.ts';
import { macroF1 } from './macroF1.ts';

describe('macroF1 against scikit-learn', () => {
  // /usr/bin/python3 -c "from sklearn.metrics import f1_score; print(f1_score([0,1,1,2,0,2], [0,0,1,1,0,1],
  //   labels=range(3), average='macro', zero_division=0))"   →  0.4000000000000001 (scikit-learn 1.2.1)
  test('six examples by hand: F1 = 0.8, 0.4 and 0 (class 2 never predicted)', () => {
    assertClose(macroF1({ label: [0, 1, 1, 2, 0, 2], predictedClass: [0, 0, 1, 1, 0, 1] }, { numClasses: 3 }), 0.4000000000000001, 1e-15, 'macro-F1 vs sklearn');
  });

  test.each(referenceCases)('$name: $commands.macroF1', ({ outcomes, numClasses, expected }) => {
    assertClose(macroF1(outcomes, { numClasses }), expected.macroF1, 1e-12, 'macro-F1 vs sklearn f1_score');
  });

  test('perfect predictions score 1; a class absent from labels and predictions scores 0 and still counts', () => {
    expect(macroF1({ label: [0, 1, 2], predictedClass: [0, 1, 2] }, { numClasses: 3 })).toBe(1);
    expect(macroF1({ label: [0, 1, 2], predictedClass: [0, 1, 2] }, { numClasses: 4 })).toBe(0.75);
  });

  test('rejects bad inputs', () => {
    expect(() => macroF1({ label: [0, 1], predictedClass: [0] }, { numClasses: 2 })).toThrow(/predictedClass has 1 values for 2 labels/);
    expect(() => macroF1({ label: [0, 3], predictedClass: [0, 1] }, { numClasses: 2 })).toThrow(InvalidInputError);
    expect(() => macroF1({ label: [], predictedClass: [] }, { numClasses: 2 })).toThrow(/no examples/);
    expect(() => macroF1({ label: [0], predictedClass: [0] }, { numClasses: 1 })).toThrow(/numClasses/);
  });
});
