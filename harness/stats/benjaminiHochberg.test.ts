import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/pAdjust.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { benjaminiHochberg } from './benjaminiHochberg.ts';

describe('benjaminiHochberg against R p.adjust(p, "BH")', () => {
  // Source: fixtures/stats/pAdjust.json (reference.R; the first case is the ?p.adjust example).
  test.each(reference.cases)('$name', ({ pValues, bh }) => {
    benjaminiHochberg(pValues).forEach((p, i) => assertClose(p, bh[i], 1e-12, `BH[${i}] vs R`));
  });

  test('doc example', () => {
    expect(benjaminiHochberg([0.01, 0.04, 0.03])).toEqual([0.03, 0.04, 0.04]);
  });

  test('rejects an empty family and values outside [0, 1]', () => {
    expect(() => benjaminiHochberg([])).toThrow(InvalidInputError);
    expect(() => benjaminiHochberg([-0.1])).toThrow(/benjaminiHochberg: pValues\[0\] is -0.1/);
  });
});

describe('benjaminiHochberg properties (fast-check seed 5)', () => {
  const family = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 });
  test('between the raw p-value and 1, monotone in the raw order', () => {
    fc.assert(
      fc.property(family, (p) => {
        const q = benjaminiHochberg(p);
        const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
        return q.every((x, i) => x >= p[i] && x <= 1) && order.every((i, k) => k === 0 || q[order[k - 1]] <= q[i]);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
