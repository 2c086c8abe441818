import { InvalidInputError } from '../errors.ts';

/** Direction of a pre-registered claim. */
export type ClaimDirection = 'greater' | 'less' | 'equivalent';

/**
 * Verdict of a hypothesis judged on its interval: the subset of the harness's `Verdict` (which adds
 * `incomplete` and `error`, decided before any interval exists) that an interval can decide.
 */
export type JudgedVerdict = 'supported' | 'inconclusive' | 'refuted';

/**
 * Machine-readable reason of a verdict (the same code for 'greater' and its mirror 'less'):
 * - 'beyond-sesoi': directional, the interval lies beyond the SESOI in the predicted direction (supported);
 * - 'within-sesoi': the interval lies inside (-sesoi, sesoi) (directional: refuted; equivalence: supported);
 * - 'wrong-direction': directional, the interval lies wholly on the wrong side of zero (refuted);
 * - 'significant-below-sesoi': directional, the interval excludes zero but not the SESOI (inconclusive,
 *   "significant but possibly below the SESOI");
 * - 'includes-zero-and-sesoi': directional, the interval includes both zero and the SESOI (inconclusive);
 * - 'includes-zero-and-opposite-sesoi': directional, the interval includes zero and reaches the SESOI on
 *   the wrong side, but not the predicted one (inconclusive);
 * - 'outside-sesoi': equivalence, the interval lies wholly outside (-sesoi, sesoi) (refuted);
 * - 'crosses-sesoi': equivalence, the interval straddles a bound ±sesoi (inconclusive).
 */
export type VerdictCode =
  | 'beyond-sesoi'
  | 'within-sesoi'
  | 'wrong-direction'
  | 'significant-below-sesoi'
  | 'includes-zero-and-sesoi'
  | 'includes-zero-and-opposite-sesoi'
  | 'outside-sesoi'
  | 'crosses-sesoi';

/** The claim an interval is judged against. */
export interface JudgeClaim {
  /** Smallest effect size of interest, > 0, in the units of the interval (e.g. 0.01 = 1 point). */
  sesoi: number;
  /** 'greater': effect > 0 predicted; 'less': effect < 0 predicted; 'equivalent': no practical difference. */
  direction: ClaimDirection;
}

/** Result of {@link judge}. */
export interface Judgement {
  verdict: JudgedVerdict;
  /** One sentence for humans, with the numbers. */
  reason: string;
  /** Stable code for machines (reporters, CI gating). */
  code: VerdictCode;
}

/** An interval bound for the judge's reason: four significant digits, ±∞ for an open side. */
function formatBound(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : x > 0 ? '∞' : '-∞';
}

function judgeGreater(lower: number, upper: number, sesoi: number, text: string): Judgement {
  if (lower > sesoi) {
    return { verdict: 'supported', code: 'beyond-sesoi', reason: `interval ${text} lies beyond the SESOI ${formatBound(sesoi)} in the predicted direction` };
  }
  if (upper < 0) {
    return { verdict: 'refuted', code: 'wrong-direction', reason: `interval ${text} lies wholly on the wrong side of zero` };
  }
  if (lower > -sesoi && upper < sesoi) {
    return { verdict: 'refuted', code: 'within-sesoi', reason: `interval ${text} lies inside (-SESOI, SESOI) = (${formatBound(-sesoi)}, ${formatBound(sesoi)}): no effect of practical size` };
  }
  if (lower > 0) {
    return { verdict: 'inconclusive', code: 'significant-below-sesoi', reason: `significant but possibly below the SESOI: interval ${text} excludes zero but not the SESOI ${formatBound(sesoi)}` };
  }
  if (upper >= sesoi) {
    return { verdict: 'inconclusive', code: 'includes-zero-and-sesoi', reason: `interval ${text} includes both zero and the SESOI ${formatBound(sesoi)}` };
  }
  return { verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi', reason: `interval ${text} includes zero and an effect of practical size in the opposite direction, but not the SESOI ${formatBound(sesoi)} in the predicted one` };
}

/**
 * Judges a pre-registered hypothesis from its (already multiplicity-adjusted) confidence interval
 * and smallest effect size of interest, by the rule in DESIGN.md (Statistics):
 *
 * - 'greater': supported when lower > sesoi; refuted when the interval lies inside (-sesoi, sesoi)
 *   or wholly below zero (upper < 0); otherwise inconclusive, flagged "significant but possibly
 *   below the SESOI" when it excludes zero (lower > 0) but not the SESOI.
 * - 'less': the mirror image (judge(-upper, -lower) as 'greater'); same codes.
 * - 'equivalent': supported when -sesoi < lower and upper < sesoi; refuted when the interval lies
 *   wholly outside (lower >= sesoi or upper <= -sesoi); otherwise inconclusive.
 *
 * One-sided intervals (an infinite bound) are allowed. The verdict uses only the interval; report
 * the design's {@link minimumDetectableEffect} next to an inconclusive verdict.
 *
 * Reference: Lakens, Scheel & Isager (2018), "Equivalence testing for psychological research: a
 * tutorial", AMPPS 1(2), 259–269 (interval-based inference against a SESOI).
 *
 * @throws {InvalidInputError} when a bound is NaN, lower > upper, sesoi is not a positive finite
 *   number, or the direction is unknown.
 * @example
 * judge({ lower: 0.004, upper: 0.021 }, { sesoi: 0.01, direction: 'greater' })
 * // { verdict: 'inconclusive', code: 'significant-below-sesoi', reason: 'significant but possibly below the SESOI: ...' }
 */
export function judge(interval: { lower: number; upper: number }, claim: JudgeClaim): Judgement {
  const api = 'judge';
  const { lower, upper } = interval ?? ({} as { lower: number; upper: number });
  const { sesoi, direction } = claim ?? ({} as JudgeClaim);
  if (typeof lower !== 'number' || typeof upper !== 'number' || Number.isNaN(lower) || Number.isNaN(upper)) {
    throw new InvalidInputError(`${api}: interval bounds are ${String(lower)} and ${String(upper)}; pass numbers (an infinite bound is allowed).`);
  }
  if (lower > upper) {
    throw new InvalidInputError(`${api}: lower ${lower} exceeds upper ${upper}; pass { lower, upper } in order.`);
  }
  if (typeof sesoi !== 'number' || !(sesoi > 0) || !Number.isFinite(sesoi)) {
    throw new InvalidInputError(
      `${api}: sesoi is ${String(sesoi)}; the smallest effect size of interest must be a positive finite number in the units of the interval.`,
    );
  }
  const text = `[${formatBound(lower)}, ${formatBound(upper)}]`;
  if (direction === 'greater') return judgeGreater(lower, upper, sesoi, text);
  if (direction === 'less') return judgeGreater(-upper, -lower, sesoi, text);
  if (direction === 'equivalent') {
    if (lower > -sesoi && upper < sesoi) {
      return { verdict: 'supported', code: 'within-sesoi', reason: `interval ${text} lies inside (-SESOI, SESOI) = (${formatBound(-sesoi)}, ${formatBound(sesoi)})` };
    }
    if (lower >= sesoi || upper <= -sesoi) {
      return { verdict: 'refuted', code: 'outside-sesoi', reason: `interval ${text} lies wholly outside (-SESOI, SESOI) = (${formatBound(-sesoi)}, ${formatBound(sesoi)})` };
    }
    return { verdict: 'inconclusive', code: 'crosses-sesoi', reason: `interval ${text} straddles a bound of (-SESOI, SESOI) = (${formatBound(-sesoi)}, ${formatBound(sesoi)})` };
  }
  throw new InvalidInputError(`${api}: direction '${String(direction)}' is unknown; pass 'greater', 'less' or 'equivalent'.`);
}
