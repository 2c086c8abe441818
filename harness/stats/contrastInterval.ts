import { InvalidInputError } from '../errors.ts';
import { fitFactorialModel, type FactorialObservation, type FactorLevel } from './factorialDesign.ts';
import { tInference } from './tInference.ts';
import { requireAlternative, requireConfidence, type Alternative } from './validate.ts';

/** One weight of a contrast: a full treatment cell and its coefficient. */
export interface ContrastWeight {
  /** The cell's level of EVERY treatment factor (not the block), e.g. { depth: 8, activation: 'gelu', wd: 0 }. */
  factors: Record<string, FactorLevel>;
  /** Coefficient of that cell's mean. */
  weight: number;
}

/** Options of {@link contrastInterval}. */
export interface ContrastOptions {
  /** Confidence level in (0, 1); default 0.95. Pass the Bonferroni level for a confirmatory family. */
  confidence?: number;
  /** Factor fitted as an additive block (e.g. 'seed'), as in {@link factorialAnova}. */
  block?: string;
  /** Alternative for the p-value and interval; default 'two-sided'. */
  alternative?: Alternative;
}

/** Result of {@link contrastInterval}. */
export interface ContrastInterval {
  /** Σ weight · cell mean. */
  estimate: number;
  /** Lower bound (-Infinity for 'less'). */
  lower: number;
  /** Upper bound (Infinity for 'greater'). */
  upper: number;
  /** Residual degrees of freedom of the full factorial model. */
  df: number;
  /** p-value for "contrast = 0". */
  pValue: number;
  /** sqrt(MS_residual · Σ weight² / n_cell). */
  standardError: number;
  /** t statistic, estimate / standardError. */
  statistic: number;
  /** Confidence level of the interval. */
  confidence: number;
}

/**
 * t interval and test for a linear contrast of cell means in a balanced full-factorial study, the
 * form every pre-registered factorial hypothesis takes (DESIGN.md, Statistics): estimate
 * Σ w_i · mean_i, standard error sqrt(MS_res · Σ w_i² / n_i), on the residual df of the full
 * factorial model (with the block when one is given; e.g. 18 cells × 3 seeds: 36 df, or 34 with
 * seed as a block). Weights need not sum to zero: a non-zero sum estimates a weighted combination
 * of means (e.g. a single cell with weight 1) and tests it against 0; comparisons ("8 vs 2",
 * linear trend) use weights that sum to zero. Averages over a factor are written out cell by cell
 * (e.g. 8 vs 2 averaged over activation: ±1/2 on each of four cells).
 *
 * Reference: Maxwell, Delaney & Kelley, Designing Experiments and Analyzing Data, 3rd ed., ch. 4–5;
 * R: `fit <- lm(y ~ a * b, d)`, `m <- tapply(d$y, list(d$a, d$b), mean)`,
 * `sum(w * m)`, `sqrt(deviance(fit) / df.residual(fit) * sum(w^2 / n))` (equal to emmeans `contrast`).
 *
 * @throws {InvalidInputError} for every design problem {@link factorialAnova} rejects, and when the
 *   weights are empty, a weight is not finite, all weights are zero, an entry does not name exactly
 *   the treatment factors, a named cell does not exist, or a cell is named twice.
 * @example
 * contrastInterval(observations, [
 *   { factors: { depth: 8, activation: 'gelu' }, weight: 1 },
 *   { factors: { depth: 2, activation: 'gelu' }, weight: -1 },
 * ], { confidence: 0.95, block: 'seed' })
 * // { estimate, lower, upper, df, pValue, standardError, statistic, confidence: 0.95 }
 */
export function contrastInterval(
  observations: readonly FactorialObservation[],
  weights: readonly ContrastWeight[],
  options: ContrastOptions = {},
): ContrastInterval {
  const api = 'contrastInterval';
  const confidence = options.confidence ?? 0.95;
  const alternative = options.alternative ?? 'two-sided';
  requireConfidence(api, confidence);
  requireAlternative(api, alternative);
  if (!Array.isArray(weights) || weights.length === 0) {
    throw new InvalidInputError(`${api}: no weights given; pass [{ factors: {...one cell...}, weight }, ...].`);
  }
  const fit = fitFactorialModel(api, observations, options.block);
  const names = fit.treatmentFactors.map((f) => f.name);
  const used = new Set<number>();
  let centredEstimate = 0;
  let weightSum = 0;
  let variance = 0;
  weights.forEach((entry, i) => {
    const weight = entry?.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight)) {
      throw new InvalidInputError(`${api}: weights[${i}].weight is ${String(weight)}; pass a finite number.`);
    }
    const keys = Object.keys(entry.factors ?? {});
    const missing = names.filter((n) => !keys.includes(n));
    const extra = keys.filter((k) => !names.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new InvalidInputError(
        `${api}: weights[${i}] must name one full cell by every treatment factor (${names.join(', ')})` +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (extra.length ? `; not a treatment factor: ${extra.join(', ')}` : '') +
          (options.block && extra.includes(options.block) ? ' (the block is averaged over; leave it out)' : '') +
          '.',
      );
    }
    const cell = fit.cellIndex(entry.factors);
    if (cell < 0) {
      const cellText = names.map((n) => `${n}=${JSON.stringify(entry.factors[n])}`).join(', ');
      const levelText = fit.treatmentFactors.map((f) => `${f.name}: ${f.levels.map((l) => JSON.stringify(l)).join('/')}`).join('; ');
      throw new InvalidInputError(
        `${api}: weights[${i}] names cell (${cellText}), which is not in the design (levels ${levelText}); ` +
          `fix the level (numbers and strings differ: 8 is not '8').`,
      );
    }
    if (used.has(cell)) {
      throw new InvalidInputError(`${api}: weights[${i}] names a cell already weighted; give each cell one weight.`);
    }
    used.add(cell);
    const { n } = fit.cellMeans[cell];
    // Summed on the centred means so that contrasts of values with many shared leading digits keep them.
    centredEstimate += weight * fit.centredCellMeans[cell];
    weightSum += weight;
    variance += (weight * weight) / n;
  });
  if (variance === 0) {
    throw new InvalidInputError(`${api}: every weight is zero; give at least one cell a non-zero weight.`);
  }
  const estimate = centredEstimate + weightSum * fit.grandMean;
  const standardError = Math.sqrt(fit.residual.meanSquare * variance);
  const t = tInference({ estimate, standardError, df: fit.residual.df, alternative, confidence });
  return {
    estimate,
    lower: t.lower,
    upper: t.upper,
    df: t.df,
    pValue: t.pValue,
    standardError,
    statistic: t.statistic,
    confidence,
  };
}
