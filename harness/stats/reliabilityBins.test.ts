import { describe, expect, test } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { expectedCalibrationError } from './expectedCalibrationError.ts';
import { reliabilityBins } from './reliabilityBins.ts';

describe('reliabilityBins (equal-width top-label confidence bins)', () => {
  // NumPy, the bin of c is the b with edges[b] < c <= edges[b+1]:
  // python3 -c "import numpy as np; conf=np.array([0.7,0.6,0.5,0.8,0.4,0.45]); cor=np.array([1,0,1,0,1,0]); B=5;
  //   edges=np.linspace(0,1,B+1); b=np.clip(np.searchsorted(edges, conf, side='left')-1,0,B-1);
  //   [print(k, (b==k).sum(), conf[b==k].mean(), cor[b==k].mean()) for k in range(B)]"
  // → 0 0 -; 1 1 0.4 1.0; 2 3 0.5166666666666667 0.3333333333333333; 3 2 0.75 0.5; 4 0 -
  test('six examples against NumPy, 0.6 on an edge belongs to the lower bin', () => {
    const bins = reliabilityBins([0.7, 0.6, 0.5, 0.8, 0.4, 0.45], [1, 0, 1, 0, 1, 0], { bins: 5 });
    expect(bins.map((b) => b.count)).toEqual([0, 1, 3, 2, 0]);
    expect(bins[0].accuracy).toBeNull();
    assertClose(bins[1].confidence!, 0.4, 1e-15, 'bin 1 confidence');
    assertClose(bins[2].confidence!, 0.5166666666666667, 1e-15, 'bin 2 confidence');
    assertClose(bins[2].accuracy!, 0.3333333333333333, 1e-15, 'bin 2 accuracy');
    assertClose(bins[3].confidence!, 0.75, 1e-15, 'bin 3 confidence');
    expect(bins[3].accuracy).toBe(0.5);
    expect(bins[4]).toMatchObject({ lower: 0.8, upper: 1, count: 0 });
  });

  fcTest.prop([fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 })], { seed: 17 })(
    'their weighted gap is expectedCalibrationError, and the counts add up', (rows, bins) => {
      const confidence = rows.map(([c]) => c);
      const correct = rows.map(([, ok]) => (ok ? 1 : 0));
      const found = reliabilityBins(confidence, correct, { bins });
      expect(found.reduce((a, b) => a + b.count, 0)).toBe(rows.length);
      const gap = found.reduce((a, b) => a + (b.count ? (b.count / rows.length) * Math.abs(b.accuracy! - b.confidence!) : 0), 0);
      const ece = expectedCalibrationError({ topClassProbability: confidence, predictedClass: correct.map((ok) => (ok ? 0 : 1)), label: correct.map(() => 0) }, { bins });
      expect(Math.abs(gap - ece)).toBeLessThan(1e-12);
    });

  test('rejects bad input with what to do', () => {
    expect(() => reliabilityBins([0.5], [1], { bins: 0 })).toThrow(/bins must be a positive integer/);
    expect(() => reliabilityBins([], [], { bins: 5 })).toThrow(/no examples/);
    expect(() => reliabilityBins([0.5, 0.4], [1], { bins: 5 })).toThrow(/1 correctness flags for 2/);
    expect(() => reliabilityBins([1.5], [1], { bins: 5 })).toThrow(/outside \[0, 1\]/);
    expect(() => reliabilityBins([0.5], [2], { bins: 5 })).toThrow(/not 0 or 1/);
  });
});
