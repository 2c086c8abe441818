import { fUpperTail } from './distributions.ts';
import { fitFactorialModel, type CellMean, type FactorDescription, type FactorialObservation } from './factorialDesign.ts';
import { partialOmegaSquared } from './partialOmegaSquared.ts';

export type { CellMean, FactorDescription, FactorialObservation, FactorLevel } from './factorialDesign.ts';

/** Options of {@link factorialAnova}. */
export interface FactorialAnovaOptions {
  /**
   * Name of a factor to treat as an additive block, e.g. 'seed' when a seed drives the same data
   * order in every cell: it gets a main effect and no interactions (R: `y ~ seed + a * b`).
   */
  block?: string;
}

/** One row of the ANOVA table. */
export interface AnovaRow {
  /** Term name: a factor ('depth') or an interaction ('depth:activation'), factors in first-seen order. */
  term: string;
  sumOfSquares: number;
  df: number;
  meanSquare: number;
  /** meanSquare / residual mean square. */
  F: number;
  /** Upper tail of F(df, residual df). */
  pValue: number;
  /** See {@link partialOmegaSquared} (truncated at 0). */
  partialOmegaSquared: number;
}

/** Result of {@link factorialAnova}. */
export interface FactorialAnova {
  /** Block row first (if any), then main effects, two-way interactions, ..., as R's `aov` orders them. */
  rows: AnovaRow[];
  /** Pooled residual (within-cell) variation. */
  residual: { sumOfSquares: number; df: number; meanSquare: number };
  /** Mean of every treatment cell, last factor varying fastest. */
  cellMeans: CellMean[];
  /** Mean of all observations. */
  grandMean: number;
  /** Total number of observations N. */
  n: number;
  /** Treatment factors with their levels (first-seen order). */
  factors: FactorDescription[];
  /** The block factor, when one was named. */
  block?: FactorDescription;
}

/**
 * Analysis of variance for a BALANCED full-factorial design (every cell, and every cell × block
 * level, has the same number of observations): sums of squares, df, mean squares, F, p-values and
 * partial omega squared for every main effect and every interaction of the treatment factors, plus
 * an optional additive block. For balanced data the sums of squares are orthogonal, so types I, II
 * and III agree and the result equals R's `aov` / `anova(lm(...))`.
 *
 * Computation: effect decomposition via cell means (see `factorialDesign.ts`), centred on the grand
 * mean and with compensated sums, so it passes the NIST StRD ANOVA sets of higher difficulty
 * (SmLs09: 13 constant leading digits) where textbook Σy² - Nȳ² fails.
 *
 * Reference: R `summary(aov(value ~ a * b * c, data))` (and `value ~ block + a * b` with a block);
 * Montgomery, Design and Analysis of Experiments, ch. 5; NIST StRD ANOVA certified values.
 *
 * @throws {InvalidInputError} when there are no observations, observations name different factors,
 *   a value is NaN/Infinity, a level is neither a string nor a finite number, a factor has one
 *   level, a cell (or cell × block level) is empty, the design is unbalanced, no residual df remain
 *   (one run per cell and no block), the residual variance is zero, or `block` names no factor.
 * @example
 * const table = factorialAnova(
 *   runs.map((r) => ({ factors: { depth: r.depth, activation: r.activation, seed: r.seed }, value: r.accuracy })),
 *   { block: 'seed' },
 * );
 * table.rows.map((r) => r.term) // ['seed', 'depth', 'activation', 'depth:activation']
 */
export function factorialAnova(
  observations: readonly FactorialObservation[],
  options: FactorialAnovaOptions = {},
): FactorialAnova {
  const fit = fitFactorialModel('factorialAnova', observations, options.block);
  const mse = fit.residual.meanSquare;
  const rows = fit.terms.map((t): AnovaRow => {
    const meanSquare = t.sumOfSquares / t.df;
    const F = meanSquare / mse;
    return {
      term: t.term,
      sumOfSquares: t.sumOfSquares,
      df: t.df,
      meanSquare,
      F,
      pValue: fUpperTail(F, t.df, fit.residual.df),
      partialOmegaSquared: partialOmegaSquared({ sumOfSquares: t.sumOfSquares, df: t.df, meanSquareError: mse, n: fit.n }),
    };
  });
  return {
    rows,
    residual: { ...fit.residual },
    cellMeans: fit.cellMeans,
    grandMean: fit.grandMean,
    n: fit.n,
    factors: fit.treatmentFactors,
    ...(fit.block ? { block: fit.block } : {}),
  };
}
