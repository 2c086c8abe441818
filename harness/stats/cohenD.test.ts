import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/effectSizes.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { cohenD } from './cohenD.ts';

describe('cohenD against effectsize::cohens_d (pooled SD)', () => {
  // Source: fixtures/stats/effectSizes.json (reference.R, effectsize 0.8.3).
  test.each(reference.cases)('$name', ({ a, b, cohenD: expected }) => {
    assertClose(cohenD(a, b), expected, 1e-12, 'd vs effectsize');
  });

  test('doc example', () => {
    expect(cohenD([2, 4, 6], [1, 2, 3])).toBeCloseTo(1.2649110640673518, 14);
  });

  test('rejects short samples, NaN and constant data', () => {
    expect(() => cohenD([1], [1, 2])).toThrow(InvalidInputError);
    expect(() => cohenD([1, 2], [1, Number.NaN])).toThrow(/cohenD: b\[1\] is NaN/);
    expect(() => cohenD([1, 1], [2, 2])).toThrow(/cohenD: both samples are constant/);
  });

  test('invariant to shift and positive scale, antisymmetric (fast-check seed 13)', () => {
    const sample = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0.01, 2, 50), (a, b, c, k) => {
        let d: number;
        try {
          d = cohenD(a, b);
        } catch {
          return true;
        }
        const tol = 1e-9 * (1 + Math.abs(d));
        return (
          Math.abs(cohenD(a.map((x) => x + c), b.map((x) => x + c)) - d) < tol &&
          Math.abs(cohenD(a.map((x) => x * k), b.map((x) => x * k)) - d) < tol &&
          Math.abs(cohenD(b, a) + d) < tol
        );
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});
