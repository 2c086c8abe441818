import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { referenceCases } from '../../fixtures/stats/classificationMetrics.ts';
import { expectedCalibrationError } from './expectedCalibrationError.ts';

describe('expectedCalibrationError (top-label, equal-width bins) against its NumPy definition', () => {
  // fixtures/stats/classification_metrics.py: top_label_ece(small, [0,1,1,2,0,2], 5) → 0.275; with 2 bins 0.2916666666666666.
  // By hand, 5 bins: (0.2, 0.4] holds 0.4 (right): 1/6 x 0.6; (0.4, 0.6] holds 0.6, 0.5, 0.45 (1 of 3 right):
  // 3/6 x |1/3 - 0.51667|; (0.6, 0.8] holds 0.7, 0.8 (1 of 2 right): 2/6 x 0.25. Sum 0.275; 0.6 sits on an edge.
  const small = { topClassProbability: [0.7, 0.6, 0.5, 0.8, 0.4, 0.45], predictedClass: [0, 0, 1, 1, 0, 1], label: [0, 1, 1, 2, 0, 2] };
  test('six examples by hand, a confidence on a bin edge', () => {
    assertClose(expectedCalibrationError(small, { bins: 5 }), 0.275, 1e-14, 'ECE, 5 bins');
    assertClose(expectedCalibrationError(small, { bins: 2 }), 0.2916666666666666, 1e-14, 'ECE, 2 bins');
  });

  const cases = referenceCases.flatMap((c) => c.expected.expectedCalibrationError.map(({ bins, value }) => ({ name: c.name, bins, value, outcomes: c.outcomes })));
  test.each(cases)('$name, $bins bins', ({ outcomes, bins, value }) => {
    assertClose(expectedCalibrationError(outcomes, { bins }), value, 1e-12, `ECE (${bins} bins) vs NumPy`);
  });

  test('edges belong to the lower bin: 0.3 with 10 bins is in (0.2, 0.3], although 0.3 x 10 rounds above 3', () => {
    // 0.3 (right) belongs to (0.2, 0.3], 0.35 (wrong) to (0.3, 0.4]: apart they give (0.7 + 0.35) / 2 = 0.525.
    const outcomes = { topClassProbability: [0.3, 0.35], predictedClass: [0, 0], label: [0, 1] };
    // Were 0.3 put above the edge, both would share (0.3, 0.4] and give |0.5 - 0.325| = 0.175.
    assertClose(expectedCalibrationError(outcomes, { bins: 10 }), 0.525, 1e-14, 'edge placement');
  });

  test('perfectly calibrated bins score 0; a constant confidence of 1 with all wrong scores 1', () => {
    expect(expectedCalibrationError({ topClassProbability: [0.5, 0.5], predictedClass: [0, 0], label: [0, 1] }, { bins: 10 })).toBe(0);
    expect(expectedCalibrationError({ topClassProbability: [1, 1], predictedClass: [0, 0], label: [1, 1] }, { bins: 15 })).toBe(1);
  });

  test('rejects bad inputs; the bin count has no default', () => {
    expect(() => expectedCalibrationError(small, {} as { bins: number })).toThrow(/bins must be a positive integer/);
    expect(() => expectedCalibrationError(small, { bins: 2.5 })).toThrow(/bins/);
    expect(() => expectedCalibrationError({ ...small, topClassProbability: [0.7] }, { bins: 5 })).toThrow(/1 values for 6 examples/);
    expect(() => expectedCalibrationError({ ...small, predictedClass: [0] }, { bins: 5 })).toThrow(/predictedClass has 1 values/);
    expect(() => expectedCalibrationError({ ...small, topClassProbability: small.topClassProbability.map(() => 1.5) }, { bins: 5 })).toThrow(/outside \[0, 1\]/);
  });
});
