import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/effectSizes.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { cohenD } from './cohenD.ts';
import { hedgesCorrection, hedgesG } from './hedgesG.ts';

describe('hedgesG against effectsize::hedges_g (exact gamma correction)', () => {
  // Source: fixtures/stats/effectSizes.json (reference.R, effectsize 0.8.3, which multiplies by
  // J = exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df - 1)/2))).
  test.each(reference.cases)('$name', ({ a, b, hedgesG: expected }) => {
    assertClose(hedgesG(a, b), expected, 1e-12, 'g vs effectsize');
  });

  test('the correction J(df) equals gamma(df/2) / (sqrt(df/2) gamma((df-1)/2))', () => {
    // R 4.2.2, options(digits = 17):
    //   sapply(c(2, 3, 4, 10, 100), function(df) gamma(df/2) / (sqrt(df/2) * gamma((df-1)/2)))
    //   df <- 1000; exp(lgamma(df/2) - log(sqrt(df/2)) - lgamma((df - 1)/2))   # gamma() overflows
    const rValues: Array<[number, number]> = [
      [2, 0.56418958354775628],
      [3, 0.72360125455826774],
      [4, 0.79788456080286529],
      [10, 0.92274560805308692],
      [100, 0.99247805498142183],
      [1000, 0.99924978117947805],
    ];
    for (const [df, j] of rValues) assertClose(hedgesCorrection(df), j, 1e-9, `J(${df}) vs R`);
    // Beyond 100,000 df the approximation 1 - 3/(4 df - 1) is used; it is continuous there.
    assertClose(hedgesCorrection(100_001), hedgesCorrection(99_999), 1e-9, 'J continuous at the switch');
  });

  test('g = J(n_a + n_b - 2) * d, smaller in magnitude than d', () => {
    const a = [2, 4, 6];
    const b = [1, 2, 3];
    expect(hedgesG(a, b)).toBeCloseTo(cohenD(a, b) * hedgesCorrection(4), 14);
    expect(Math.abs(hedgesG(a, b))).toBeLessThan(Math.abs(cohenD(a, b)));
  });

  test('rejects short samples and constant data', () => {
    expect(() => hedgesG([], [1, 2])).toThrow(InvalidInputError);
    expect(() => hedgesG([3, 3], [3, 3])).toThrow(/hedgesG: both samples are constant/);
  });
});
