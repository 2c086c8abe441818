/**
 * The balanced full-factorial model shared by {@link factorialAnova} and {@link contrastInterval}
 * (one fit, two readers): it checks the design, computes cell means, the effect decomposition
 * of every treatment term, the optional additive block and the pooled residual variance.
 * Internal to the module; the public contracts live in `factorialAnova.ts` and
 * `contrastInterval.ts`.
 *
 * Method (exact for balanced data): centre every value on the grand mean, average the centred
 * values per cell, take marginal means of the cell means for every subset S of treatment factors,
 * and peel off lower-order effects, effect_S = marginal_S - Σ_{T ⊊ S} effect_T (inclusion-
 * exclusion). Then SS_S = (N / Π_{f∈S} L_f) · Σ effect_S², df_S = Π_{f∈S} (L_f - 1). The residual
 * sum of squares is summed directly from the residuals (value - fitted), never as a difference of
 * totals, so data with many constant leading digits (NIST SmLs09) keep their precision.
 */
import { InvalidInputError } from '../errors.ts';
import { accurateMean, accurateSum, requireFinite } from './validate.ts';

/** A factor level: a string ('gelu') or a finite number (8, 0.01). */
export type FactorLevel = string | number;

/** One observation of a factorial study: the level of every factor and the measured value. */
export interface FactorialObservation {
  /** Level of every factor, e.g. { depth: 8, activation: 'gelu', seed: 1 }; same keys everywhere. */
  factors: Record<string, FactorLevel>;
  /** The response, e.g. test accuracy of that run. */
  value: number;
}

/** A factor of the design and its levels in order of first appearance. */
export interface FactorDescription {
  name: string;
  levels: FactorLevel[];
}

/** Mean of one treatment cell (the block, if any, is averaged over). */
export interface CellMean {
  /** The cell's level of every treatment factor. */
  factors: Record<string, FactorLevel>;
  /** Mean of the cell's observations. */
  mean: number;
  /** Number of observations in the cell (replicates × block levels). */
  n: number;
}

/** A fitted term of the model. Internal. */
export interface FittedTerm {
  term: string;
  sumOfSquares: number;
  df: number;
}

/** The fitted balanced factorial model. Internal. */
export interface FactorialFit {
  treatmentFactors: FactorDescription[];
  block: FactorDescription | undefined;
  /** Treatment terms in R's order (main effects, then two-way interactions, ...); block first if any. */
  terms: FittedTerm[];
  residual: { sumOfSquares: number; df: number; meanSquare: number };
  cellMeans: CellMean[];
  grandMean: number;
  n: number;
  /** Cell means minus the grand mean (more digits than `cellMeans[i].mean - grandMean`). */
  centredCellMeans: Float64Array;
  /** Finds the index of a treatment cell in `cellMeans`, or -1. */
  cellIndex(levels: Record<string, FactorLevel>): number;
}

function levelKey(level: FactorLevel): string {
  return `${typeof level}:${String(level)}`;
}

function describeCell(factors: FactorDescription[], combination: number[]): string {
  return factors.map((f, k) => `${f.name}=${String(f.levels[combination[k]])}`).join(', ');
}

/** Fits the balanced full-factorial model (plus an additive block); throws on a bad design. */
export function fitFactorialModel(
  api: string,
  observations: readonly FactorialObservation[],
  block: string | undefined,
): FactorialFit {
  if (!Array.isArray(observations) || observations.length === 0) {
    throw new InvalidInputError(
      `${api}: no observations given; pass one { factors, value } per run of every cell.`,
    );
  }
  if (block !== undefined && (typeof block !== 'string' || block === '')) {
    throw new InvalidInputError(`${api}: block must be a factor name such as 'seed'; got ${String(block)}.`);
  }

  // Factors and levels in order of first appearance.
  const names: string[] = [];
  const first = observations[0];
  if (!first || typeof first.factors !== 'object' || first.factors === null) {
    throw new InvalidInputError(`${api}: observations[0].factors is missing; pass { factors: {...}, value }.`);
  }
  for (const name of Object.keys(first.factors)) names.push(name);
  if (names.length === 0) {
    throw new InvalidInputError(`${api}: observations name no factors; pass at least one factor per observation.`);
  }
  if (block !== undefined && !names.includes(block)) {
    throw new InvalidInputError(
      `${api}: block '${block}' is not a factor of the observations (${names.join(', ')}); ` +
        `name one of them or leave block out.`,
    );
  }
  const levelIndex = new Map<string, Map<string, number>>(names.map((n) => [n, new Map()]));
  const levels = new Map<string, FactorLevel[]>(names.map((n) => [n, []]));
  const values = new Float64Array(observations.length);
  const coded = names.map(() => new Int32Array(observations.length));
  observations.forEach((observation, i) => {
    if (!observation || typeof observation.factors !== 'object' || observation.factors === null) {
      throw new InvalidInputError(`${api}: observations[${i}].factors is missing; pass { factors: {...}, value }.`);
    }
    const keys = Object.keys(observation.factors);
    if (keys.length !== names.length || !keys.every((k) => levelIndex.has(k))) {
      throw new InvalidInputError(
        `${api}: observations[${i}] names factors (${keys.join(', ')}) but observations[0] names ` +
          `(${names.join(', ')}); give every observation the same factors.`,
      );
    }
    requireFinite(api, `observations[${i}].value`, observation.value);
    values[i] = observation.value;
    names.forEach((name, k) => {
      const level = observation.factors[name];
      if (!(typeof level === 'string' || (typeof level === 'number' && Number.isFinite(level)))) {
        throw new InvalidInputError(
          `${api}: observations[${i}].factors.${name} is ${String(level)}; a level must be a string or a finite number.`,
        );
      }
      const index = levelIndex.get(name)!;
      const key = levelKey(level);
      let code = index.get(key);
      if (code === undefined) {
        code = index.size;
        index.set(key, code);
        levels.get(name)!.push(level);
      }
      coded[k][i] = code;
    });
  });

  const treatmentNames = names.filter((n) => n !== block);
  if (treatmentNames.length === 0) {
    throw new InvalidInputError(`${api}: the only factor is the block '${block}'; add a treatment factor.`);
  }
  const treatmentFactors = treatmentNames.map((name) => ({ name, levels: levels.get(name)! }));
  const treatmentCodes = treatmentNames.map((name) => coded[names.indexOf(name)]);
  const blockFactor = block === undefined ? undefined : { name: block, levels: levels.get(block)! };
  const blockCodes = block === undefined ? undefined : coded[names.indexOf(block)];
  const sizes = treatmentFactors.map((f) => f.levels.length);
  const cellCount = sizes.reduce((p, s) => p * s, 1);
  const blockCount = blockFactor ? blockFactor.levels.length : 1;
  for (const f of [...treatmentFactors, ...(blockFactor ? [blockFactor] : [])]) {
    if (f.levels.length < 2) {
      throw new InvalidInputError(
        `${api}: factor '${f.name}' has a single level (${String(f.levels[0])}); a factor needs at ` +
          `least two levels: drop it from the observations' factors.`,
      );
    }
  }

  // Mixed-radix cell index, last factor fastest.
  const n = observations.length;
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let index = 0;
    for (let k = 0; k < sizes.length; k++) index = index * sizes[k] + treatmentCodes[k][i];
    cellOf[i] = index;
  }
  const combinationOf = (cell: number): number[] => {
    const combination = new Array<number>(sizes.length);
    for (let k = sizes.length - 1; k >= 0; k--) {
      combination[k] = cell % sizes[k];
      cell = Math.floor(cell / sizes[k]);
    }
    return combination;
  };

  // Balance: every (cell, block level) holds the same number of observations.
  const counts = new Int32Array(cellCount * blockCount);
  for (let i = 0; i < n; i++) counts[cellOf[i] * blockCount + (blockCodes ? blockCodes[i] : 0)]++;
  // Empty cells first (the more useful message), then cells off the most common count.
  const where = (j: number) =>
    describeCell(treatmentFactors, combinationOf(Math.floor(j / blockCount))) +
    (blockFactor ? `, ${blockFactor.name}=${String(blockFactor.levels[j % blockCount])}` : '');
  const empty = counts.indexOf(0);
  if (empty >= 0) {
    throw new InvalidInputError(
      `${api}: cell (${where(empty)}) has no observations, so the design is not a full factorial; ` +
        `run the missing cell${blockFactor ? ' and block level' : ''}, or drop the level from every cell.`,
    );
  }
  const frequency = new Map<number, number>();
  for (const count of counts) frequency.set(count, (frequency.get(count) ?? 0) + 1);
  const replicates = [...frequency.entries()].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0][0];
  const odd = counts.findIndex((count) => count !== replicates);
  if (odd >= 0) {
    throw new InvalidInputError(
      `${api}: the design is unbalanced: cell (${where(odd)}) has ${counts[odd]} observations but most ` +
        `cells have ${replicates}; give every cell${blockFactor ? ' and block level' : ''} the ` +
        `same number of runs (this function handles balanced designs only).`,
    );
  }

  // Centre on the grand mean, then cell and block means of the centred values.
  const grandMean = accurateMean(values);
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = values[i] - grandMean;
  const perCell = n / cellCount;
  const cellSums: number[][] = Array.from({ length: cellCount }, () => []);
  for (let i = 0; i < n; i++) cellSums[cellOf[i]].push(centred[i]);
  const cellMean = new Float64Array(cellCount);
  for (let c = 0; c < cellCount; c++) cellMean[c] = accurateSum(cellSums[c]) / perCell;
  const centreOfCells = accurateSum(cellMean) / cellCount;

  // Treatment terms: subsets of factors as bit masks, in R's order.
  const factorCount = sizes.length;
  const masks = Array.from({ length: 2 ** factorCount - 1 }, (_, m) => m + 1);
  const bitsOf = (mask: number) => sizes.map((_, k) => k).filter((k) => mask & (1 << k));
  masks.sort((x, y) => {
    const bx = bitsOf(x);
    const by = bitsOf(y);
    if (bx.length !== by.length) return bx.length - by.length;
    for (let k = 0; k < bx.length; k++) if (bx[k] !== by[k]) return bx[k] - by[k];
    return 0;
  });
  const combinations = Array.from({ length: cellCount }, (_, c) => combinationOf(c));
  const indexIn = (mask: number, combination: number[]): number => {
    let index = 0;
    for (let k = 0; k < factorCount; k++) if (mask & (1 << k)) index = index * sizes[k] + combination[k];
    return index;
  };
  const effects = new Map<number, Float64Array>();
  const terms: FittedTerm[] = [];
  for (const mask of masks) {
    const bits = bitsOf(mask);
    const marginalSize = bits.reduce((p, k) => p * sizes[k], 1);
    const marginal = new Float64Array(marginalSize);
    for (let c = 0; c < cellCount; c++) marginal[indexIn(mask, combinations[c])] += cellMean[c] - centreOfCells;
    const cellsPerLevel = cellCount / marginalSize;
    for (let j = 0; j < marginalSize; j++) marginal[j] /= cellsPerLevel;
    // Subtract every lower-order effect nested in this term (proper subsets, already computed).
    const effect = marginal;
    const representative = new Array<number[]>(marginalSize);
    for (let c = 0; c < cellCount; c++) representative[indexIn(mask, combinations[c])] ??= combinations[c];
    for (const [lowerMask, lowerEffect] of effects) {
      if ((lowerMask & mask) !== lowerMask || lowerMask === mask) continue;
      for (let j = 0; j < marginalSize; j++) effect[j] -= lowerEffect[indexIn(lowerMask, representative[j])];
    }
    effects.set(mask, effect);
    const squares = new Float64Array(marginalSize);
    for (let j = 0; j < marginalSize; j++) squares[j] = effect[j] * effect[j];
    terms.push({
      term: bits.map((k) => treatmentFactors[k].name).join(':'),
      sumOfSquares: (n / marginalSize) * accurateSum(squares),
      df: bits.reduce((p, k) => p * (sizes[k] - 1), 1),
    });
  }

  // Additive block (no interactions with treatments): its effect is its centred marginal mean.
  const blockEffect = new Float64Array(blockCount);
  if (blockFactor && blockCodes) {
    const blockSums: number[][] = Array.from({ length: blockCount }, () => []);
    for (let i = 0; i < n; i++) blockSums[blockCodes[i]].push(centred[i]);
    for (let b = 0; b < blockCount; b++) blockEffect[b] = accurateSum(blockSums[b]) / (n / blockCount) - centreOfCells;
    const squares = blockEffect.map((e) => e * e);
    terms.unshift({ term: blockFactor.name, sumOfSquares: (n / blockCount) * accurateSum(squares), df: blockCount - 1 });
  }

  // Residuals summed directly: value - (cell mean + block effect).
  const residualSquares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = centred[i] - cellMean[cellOf[i]] - (blockCodes ? blockEffect[blockCodes[i]] : 0);
    residualSquares[i] = r * r;
  }
  const residualDf = n - cellCount - (blockCount - 1);
  if (residualDf < 1) {
    throw new InvalidInputError(
      `${api}: the model leaves no residual degrees of freedom (${n} observations, ${cellCount} ` +
        `cells${blockFactor ? `, ${blockCount} block levels` : ''}); run more than one replicate per cell ` +
        `(more seeds) so the error variance can be estimated.`,
    );
  }
  const residualSumOfSquares = accurateSum(residualSquares);
  const residual = { sumOfSquares: residualSumOfSquares, df: residualDf, meanSquare: residualSumOfSquares / residualDf };
  if (!(Math.sqrt(residual.meanSquare) > 10 * Number.EPSILON * Math.abs(grandMean))) {
    throw new InvalidInputError(
      `${api}: the residual variance is zero (every replicate of a cell is identical), so no F test ` +
        `or interval exists; check that the seeds really differ (distinct seeds, no copied records).`,
    );
  }

  const cellMeans: CellMean[] = combinations.map((combination, c) => ({
    factors: Object.fromEntries(treatmentFactors.map((f, k) => [f.name, f.levels[combination[k]]])),
    mean: grandMean + cellMean[c],
    n: perCell,
  }));
  const codeMaps = treatmentNames.map((name) => levelIndex.get(name)!);
  const cellIndex = (cellLevels: Record<string, FactorLevel>): number => {
    let index = 0;
    for (let k = 0; k < factorCount; k++) {
      const code = codeMaps[k].get(levelKey(cellLevels[treatmentNames[k]]));
      if (code === undefined) return -1;
      index = index * sizes[k] + code;
    }
    return index;
  };
  return {
    treatmentFactors,
    block: blockFactor,
    terms,
    residual,
    cellMeans,
    grandMean,
    n,
    centredCellMeans: cellMean,
    cellIndex,
  };
}
