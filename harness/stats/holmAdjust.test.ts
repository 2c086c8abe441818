import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/pAdjust.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { benjaminiHochberg } from './benjaminiHochberg.ts';
import { holmAdjust } from './holmAdjust.ts';

describe('holmAdjust against R p.adjust(p, "holm")', () => {
  // Source: fixtures/stats/pAdjust.json (reference.R; the first case is the ?p.adjust example).
  test.each(reference.cases)('$name', ({ pValues, holm }) => {
    holmAdjust(pValues).forEach((p, i) => assertClose(p, holm[i], 1e-12, `holm[${i}] vs R`));
  });

  test('doc example', () => {
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
  });

  test('rejects an empty family and values outside [0, 1]', () => {
    expect(() => holmAdjust([])).toThrow(InvalidInputError);
    expect(() => holmAdjust([])).toThrow(/holmAdjust: no p-values given/);
    expect(() => holmAdjust([0.1, 1.2])).toThrow(/pValues\[1\] is 1.2, not a probability/);
    expect(() => holmAdjust([Number.NaN])).toThrow(/pValues\[0\] is NaN/);
  });
});

describe('holmAdjust properties (fast-check seed 3)', () => {
  const family = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 });
  const runs = { seed: 3, numRuns: 300 };

  test('never below the raw p-value, never above 1', () => {
    fc.assert(fc.property(family, (p) => holmAdjust(p).every((q, i) => q >= p[i] && q <= 1)), runs);
  });

  test('monotone in the order of the raw p-values', () => {
    fc.assert(
      fc.property(family, (p) => {
        const q = holmAdjust(p);
        const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
        return order.every((i, k) => k === 0 || q[order[k - 1]] <= q[i]);
      }),
      runs,
    );
  });

  test('Benjamini-Hochberg is never above Holm', () => {
    fc.assert(fc.property(family, (p) => benjaminiHochberg(p).every((q, i) => q <= holmAdjust(p)[i] + 1e-15)), runs);
  });

  test('a family of one is left alone', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => holmAdjust([p])[0] === p), runs);
  });
});
