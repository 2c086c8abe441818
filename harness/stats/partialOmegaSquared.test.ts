import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/anova.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { partialOmegaSquared } from './partialOmegaSquared.ts';

describe('partialOmegaSquared', () => {
  test('matches effectsize::omega_squared(partial = TRUE) on every published row', () => {
    // Source: fixtures/stats/anova.json; the rows' SS and df are R's, so this checks the formula
    // (SS - df MSE) / (SS + (N - df) MSE) with N = total observations, independently of the ANOVA.
    for (const anova of reference.anovas) {
      const n = anova.observations.length;
      for (const row of anova.expected.rows) {
        const value = partialOmegaSquared({ sumOfSquares: row.sumOfSquares, df: row.df, meanSquareError: anova.expected.residual.meanSquare, n });
        assertClose(value, row.partialOmegaSquared, 1e-9, `${anova.name} ${row.term}`);
      }
    }
  });

  test('worked example: warpbreaks tension (Olejnik & Algina 2003 formula)', () => {
    // (2034.2593 - 2 * 119.6898) / (2034.2593 + (54 - 2) * 119.6898) = 0.21735, effectsize prints 0.22.
    const value = partialOmegaSquared({ sumOfSquares: 2034.2592592592596, df: 2, meanSquareError: 119.68981481481482, n: 54 });
    assertClose(value, (2034.2592592592596 - 2 * 119.68981481481482) / (2034.2592592592596 + 52 * 119.68981481481482), 1e-15, 'formula');
    expect(value).toBeCloseTo(0.21735, 5);
  });

  test('is 0 at F = 1 and truncated at 0 below it', () => {
    expect(partialOmegaSquared({ sumOfSquares: 10, df: 2, meanSquareError: 5, n: 30 })).toBe(0);
    expect(partialOmegaSquared({ sumOfSquares: 1, df: 2, meanSquareError: 5, n: 30 })).toBe(0);
  });

  test('rejects impossible inputs with InvalidInputError', () => {
    expect(() => partialOmegaSquared({ sumOfSquares: Number.NaN, df: 1, meanSquareError: 1, n: 10 })).toThrow(InvalidInputError);
    expect(() => partialOmegaSquared({ sumOfSquares: 1, df: 0, meanSquareError: 1, n: 10 })).toThrow(/partialOmegaSquared: need df >= 1/);
    expect(() => partialOmegaSquared({ sumOfSquares: 1, df: 1, meanSquareError: 0, n: 10 })).toThrow(/meanSquareError > 0/);
    expect(() => partialOmegaSquared({ sumOfSquares: 1, df: 3, meanSquareError: 1, n: 3 })).toThrow(/n > df/);
  });
});
