import { InvalidInputError } from '../errors.ts';

/** Inputs of {@link partialOmegaSquared}: one ANOVA row plus the residual mean square and N. */
export interface PartialOmegaSquaredInput {
  /** Sum of squares of the effect. */
  sumOfSquares: number;
  /** Degrees of freedom of the effect. */
  df: number;
  /** Residual (error) mean square of the model. */
  meanSquareError: number;
  /** Total number of observations N. */
  n: number;
}

/**
 * Partial omega squared of one effect in a fixed-effects (between-subjects) ANOVA:
 *
 *   ω²_p = (SS_effect - df_effect · MS_error) / (SS_effect + (N - df_effect) · MS_error)
 *
 * which estimates σ²_effect / (σ²_effect + σ²_error), the share of variance the effect would have
 * in a design with only that factor. Less biased than partial eta squared. Negative estimates
 * (F < 1) are reported as 0, as R's `effectsize` package does (`pmax(0, ·)`); the untruncated
 * value follows from the row's sum of squares, df and the residual mean square.
 *
 * Reference: Olejnik & Algina (2003), "Generalized eta and omega squared statistics: measures of
 * effect size for some common research designs", Psychological Methods 8(4), 434–447 (Table 2,
 * all factors manipulated); Keppel (1991), Design and Analysis, 3rd ed., pp. 222–224; R
 * `effectsize::omega_squared(aov, partial = TRUE)`, which uses N = sum of all df + 1.
 *
 * @throws {InvalidInputError} when an input is not finite, df < 1, the mean square error is not
 *   positive, or N does not exceed df.
 * @example
 * partialOmegaSquared({ sumOfSquares: 2034.26, df: 2, meanSquareError: 119.69, n: 54 }) // 0.2173 (warpbreaks tension)
 */
export function partialOmegaSquared(input: PartialOmegaSquaredInput): number {
  const api = 'partialOmegaSquared';
  const { sumOfSquares, df, meanSquareError, n } = input ?? ({} as PartialOmegaSquaredInput);
  if (![sumOfSquares, df, meanSquareError, n].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InvalidInputError(
      `${api}: sumOfSquares, df, meanSquareError and n must be finite numbers; got ` +
        `${sumOfSquares}, ${df}, ${meanSquareError}, ${n}.`,
    );
  }
  if (!(df >= 1) || !(meanSquareError > 0) || !(n > df) || sumOfSquares < 0) {
    throw new InvalidInputError(
      `${api}: need df >= 1, meanSquareError > 0, n > df and sumOfSquares >= 0; got df ${df}, ` +
        `meanSquareError ${meanSquareError}, n ${n}, sumOfSquares ${sumOfSquares}.`,
    );
  }
  const estimate = (sumOfSquares - df * meanSquareError) / (sumOfSquares + (n - df) * meanSquareError);
  return Math.max(0, estimate);
}
