import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/distributions.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import * as distributions from './distributions.ts';

type DistributionName = keyof typeof distributions;

describe('distributions (stdlib wrappers) against R', () => {
  // Source: fixtures/stats/distributions.json, written by fixtures/stats/reference.R (R 4.2.2).
  test.each(reference.cases)('$command', ({ fn, args, value }) => {
    const f = distributions[fn as DistributionName] as (...a: number[]) => number;
    // stdlib's t quantile agrees with R to about 1e-11 relative; the tails to about 1e-14.
    assertClose(f(...args), value, 1e-9, `${fn}(${args.join(', ')}) vs R`);
  });

  test('upper tails keep tiny p-values instead of rounding 1 - cdf to 0', () => {
    // R: pf(1e4, 2, 40, lower.tail = FALSE) is about 1e-55; 1 - pf(...) would be 0.
    expect(distributions.fUpperTail(1e4, 2, 40)).toBeGreaterThan(0);
    expect(distributions.fUpperTail(1e4, 2, 40)).toBeLessThan(1e-50);
    expect(distributions.studentTUpperTail(50, 10)).toBeGreaterThan(0);
    expect(distributions.chiSquareUpperTail(200, 1)).toBeGreaterThan(0);
    assertClose(distributions.signedRankUpperTail(1275, 50), 2 ** -50, 1e-12, 'P(V >= 1275), n = 50 (only all-positive)');
  });

  test('edge values of the F and chi-square tails', () => {
    expect(distributions.fUpperTail(0, 3, 10)).toBe(1);
    expect(distributions.fUpperTail(Infinity, 3, 10)).toBe(0);
    expect(distributions.chiSquareUpperTail(0, 1)).toBe(1);
    expect(distributions.signedRankCdf(-1, 5)).toBe(0);
  });

  test('bad arguments throw InvalidInputError naming the function', () => {
    expect(() => distributions.studentTQuantile(1, 5)).toThrow(InvalidInputError);
    expect(() => distributions.studentTQuantile(0.5, 0)).toThrow(/studentTQuantile: df 0/);
    expect(() => distributions.standardNormalQuantile(Number.NaN)).toThrow(/standardNormalQuantile/);
    expect(() => distributions.fUpperTail(Number.NaN, 1, 2)).toThrow(/fUpperTail/);
    expect(() => distributions.binomialCdf(1, 2.5, 0.5)).toThrow(/binomialCdf: size 2.5/);
    expect(() => distributions.binomialCdf(1, 3, 1.5)).toThrow(/prob 1.5/);
    expect(() => distributions.signedRankCdf(1, 0)).toThrow(/signedRankCdf: n 0/);
    expect(() => distributions.studentTCdf(Number.NaN, 3)).toThrow(InvalidInputError);
    expect(() => distributions.standardNormalCdf(Number.NaN)).toThrow(InvalidInputError);
    expect(() => distributions.chiSquareUpperTail(Number.NaN, 1)).toThrow(InvalidInputError);
  });
});
