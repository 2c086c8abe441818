import { InvalidInputError } from '../errors.ts';

/** Direction of a pre-registered claim. */
export type ClaimDirection = 'greater' | 'less' | 'equivalent';

/**
 * Verdict of a hypothesis judged on its interval: the subset of the harness's `Verdict` (which adds
 * `incomplete` and `error`, decided before any interval exists) that an interval can decide.
 */
export type JudgedVerdict = 'supported' | 'inconclusive' | 'refuted';

/**
 * Version of the verdict rule. 1: the harness's first rule (a directional claim refuted only when the interval lies
 * inside (-sesoi, sesoi) or wholly on the wrong side of zero). 2: minimum-effect testing (refuted whenever the
 * interval lies wholly short of the SESOI). Equivalence claims are judged the same under both. A lock records the
 * version it was made under; a lock without one means version 1.
 */
export type VerdictRule = 1 | 2;

/** The verdict rule of this harness: what {@link judge} applies unless told otherwise, and what a new lock records. */
export const CURRENT_VERDICT_RULE: VerdictRule = 2;

/**
 * Machine-readable reason of a verdict, naming the region the interval lies in (the same code for 'greater' and
 * its mirror 'less'; δ = sesoi):
 * - 'beyond-sesoi': directional, the interval lies wholly beyond δ in the predicted direction (supported; both rules);
 * - 'short-of-sesoi': directional, rule 2, the interval lies wholly short of δ (upper < δ): it excludes every effect
 *   of the claimed size (refuted);
 * - 'significant-below-sesoi': directional, the interval excludes zero but not δ (inconclusive, "significant but
 *   possibly below the SESOI"; under rule 1 also an interval in (0, δ) that reaches no further);
 * - 'includes-zero-and-sesoi': directional, the interval includes both zero and δ (inconclusive; both rules);
 * - 'within-sesoi': the interval lies inside (-δ, δ) (equivalence: supported, both rules; directional: refuted, rule 1 only);
 * - 'wrong-direction': directional, rule 1 only, the interval lies wholly on the wrong side of zero (refuted);
 * - 'includes-zero-and-opposite-sesoi': directional, rule 1 only, the interval includes zero and reaches -δ but
 *   not δ (inconclusive under rule 1; refuted 'short-of-sesoi' under rule 2);
 * - 'outside-sesoi': equivalence, the interval lies wholly outside (-δ, δ) (refuted);
 * - 'crosses-sesoi': equivalence, the interval straddles a bound ±δ (inconclusive).
 */
export type VerdictCode =
  | 'beyond-sesoi'
  | 'short-of-sesoi'
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

/** Rule 1, 'greater': refutes only inside (-δ, δ) or wholly below zero. Kept to show locked studies' registered verdicts. */
function judgeGreaterRuleOne(lower: number, upper: number, sesoi: number, text: string, threshold = formatBound(sesoi)): Judgement {
  if (lower > sesoi) {
    return { verdict: 'supported', code: 'beyond-sesoi', reason: `interval ${text} lies beyond the SESOI ${threshold} in the predicted direction` };
  }
  if (upper < 0) {
    return { verdict: 'refuted', code: 'wrong-direction', reason: `interval ${text} lies wholly on the wrong side of zero` };
  }
  if (lower > -sesoi && upper < sesoi) {
    return { verdict: 'refuted', code: 'within-sesoi', reason: `interval ${text} lies inside (-SESOI, SESOI) = (${formatBound(-sesoi)}, ${formatBound(sesoi)}): no effect of practical size` };
  }
  if (lower > 0) {
    return { verdict: 'inconclusive', code: 'significant-below-sesoi', reason: `significant but possibly below the SESOI: interval ${text} excludes zero but not the SESOI ${threshold}` };
  }
  if (upper >= sesoi) {
    return { verdict: 'inconclusive', code: 'includes-zero-and-sesoi', reason: `interval ${text} includes both zero and the SESOI ${threshold}` };
  }
  return { verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi', reason: `interval ${text} includes zero and an effect of practical size in the opposite direction, but not the SESOI ${threshold} in the predicted one` };
}

/** Rule 2, 'greater' (minimum-effect testing): supported wholly beyond δ, refuted wholly short of δ, inconclusive when it contains δ. */
function judgeGreater(lower: number, upper: number, sesoi: number, text: string, threshold = formatBound(sesoi)): Judgement {
  if (lower > sesoi) {
    return { verdict: 'supported', code: 'beyond-sesoi', reason: `interval ${text} lies beyond the SESOI ${threshold} in the predicted direction` };
  }
  if (upper < sesoi) {
    return { verdict: 'refuted', code: 'short-of-sesoi', reason: `interval ${text} lies wholly short of the SESOI ${threshold}: it excludes every effect of the claimed size` };
  }
  if (lower > 0) {
    return { verdict: 'inconclusive', code: 'significant-below-sesoi', reason: `significant but possibly below the SESOI: interval ${text} excludes zero but not the SESOI ${threshold}` };
  }
  return { verdict: 'inconclusive', code: 'includes-zero-and-sesoi', reason: `interval ${text} includes both zero and the SESOI ${threshold}` };
}

/**
 * Judges a pre-registered hypothesis from its (already multiplicity-adjusted) confidence interval
 * and smallest effect size of interest δ, by the rule in DESIGN.md (Statistics), version `options.rule`
 * (default {@link CURRENT_VERDICT_RULE}):
 *
 * - 'greater', rule 2 (minimum-effect testing): supported when lower > δ; refuted when upper < δ (the interval
 *   lies wholly short of δ, whether inside (-δ, δ), below zero or across both); inconclusive when it contains δ,
 *   flagged "significant but possibly below the SESOI" when it also excludes zero (lower > 0).
 * - 'greater', rule 1 (the first harness's rule, for studies locked under it): supported when lower > δ; refuted
 *   only when the interval lies inside (-δ, δ) or wholly below zero; otherwise inconclusive.
 * - 'less': the mirror image (judge(-upper, -lower) as 'greater'); same codes.
 * - 'equivalent' (both rules): supported when -δ < lower and upper < δ; refuted when the interval lies
 *   wholly outside (lower >= δ or upper <= -δ); otherwise inconclusive.
 *
 * One-sided intervals (an infinite bound) are allowed. The verdict uses only the interval; report
 * the design's {@link minimumDetectableEffect} next to an inconclusive verdict.
 *
 * Reference: Lakens, Scheel & Isager (2018), "Equivalence testing for psychological research: a
 * tutorial", AMPPS 1(2), 259–269 (interval-based inference against a SESOI; minimum-effect tests).
 *
 * @throws {InvalidInputError} when a bound is NaN, lower > upper, sesoi is not a positive finite
 *   number, or the direction or rule is unknown.
 * @example
 * judge({ lower: -1.02, upper: 0.25 }, { sesoi: 0.5, direction: 'greater' })
 * // { verdict: 'refuted', code: 'short-of-sesoi', reason: 'interval [-1.02, 0.25] lies wholly short of the SESOI 0.5: ...' }
 * judge({ lower: -1.02, upper: 0.25 }, { sesoi: 0.5, direction: 'greater' }, { rule: 1 }).code // 'includes-zero-and-opposite-sesoi'
 */
export function judge(interval: { lower: number; upper: number }, claim: JudgeClaim, options: { rule?: VerdictRule } = {}): Judgement {
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
  const rule = options?.rule ?? CURRENT_VERDICT_RULE;
  if (rule !== 1 && rule !== 2) throw new InvalidInputError(`${api}: verdict rule ${String(rule)} is unknown; pass 1 (the first harness's rule) or 2 (minimum-effect testing).`);
  const text = `[${formatBound(lower)}, ${formatBound(upper)}]`;
  const directional = rule === 1 ? judgeGreaterRuleOne : judgeGreater;
  if (direction === 'greater') return directional(lower, upper, sesoi, text);
  // The mirror image, judged as 'greater'; its reasons name the claimed threshold with its sign ("the SESOI -0.5").
  if (direction === 'less') return directional(-upper, -lower, sesoi, text, formatBound(-sesoi));
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
