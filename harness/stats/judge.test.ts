import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { CURRENT_VERDICT_RULE, judge, type ClaimDirection, type JudgedVerdict, type VerdictCode, type VerdictRule } from './judge.ts';

// Every region of the rule of DESIGN.md (Statistics) with sesoi δ = 1: intervals whose bounds are drawn from
// -2 (beyond -δ), -1 (= -δ), -0.5 (in (-δ, 0)), 0, 0.5 (in (0, δ)), 1 (= δ) and 2 (beyond δ), every ordered pair,
// for each direction: [direction, lower, upper, rule-2 verdict, rule-2 code, rule-1 verdict, rule-1 code].
const regions: Array<[ClaimDirection, number, number, JudgedVerdict, VerdictCode, JudgedVerdict, VerdictCode]> = [
  ['greater', -2, -2, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -2, -1, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -2, -0.5, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -2, 0, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['greater', -2, 0.5, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['greater', -2, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -2, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -1, -1, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -1, -0.5, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -1, 0, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['greater', -1, 0.5, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['greater', -1, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -1, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -0.5, -0.5, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['greater', -0.5, 0, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['greater', -0.5, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['greater', -0.5, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -0.5, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', 0, 0, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['greater', 0, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['greater', 0, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', 0, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', 0.5, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['greater', 0.5, 1, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['greater', 0.5, 2, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['greater', 1, 1, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['greater', 1, 2, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['greater', 2, 2, 'supported', 'beyond-sesoi', 'supported', 'beyond-sesoi'],
  ['less', -2, -2, 'supported', 'beyond-sesoi', 'supported', 'beyond-sesoi'],
  ['less', -2, -1, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['less', -2, -0.5, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['less', -2, 0, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -2, 0.5, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -2, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -2, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -1, -1, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['less', -1, -0.5, 'inconclusive', 'significant-below-sesoi', 'inconclusive', 'significant-below-sesoi'],
  ['less', -1, 0, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -1, 0.5, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -1, 1, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -1, 2, 'inconclusive', 'includes-zero-and-sesoi', 'inconclusive', 'includes-zero-and-sesoi'],
  ['less', -0.5, -0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['less', -0.5, 0, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['less', -0.5, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['less', -0.5, 1, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['less', -0.5, 2, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['less', 0, 0, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['less', 0, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'within-sesoi'],
  ['less', 0, 1, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['less', 0, 2, 'refuted', 'short-of-sesoi', 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['less', 0.5, 0.5, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['less', 0.5, 1, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['less', 0.5, 2, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['less', 1, 1, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['less', 1, 2, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['less', 2, 2, 'refuted', 'short-of-sesoi', 'refuted', 'wrong-direction'],
  ['equivalent', -2, -2, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
  ['equivalent', -2, -1, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
  ['equivalent', -2, -0.5, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -2, 0, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -2, 0.5, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -2, 1, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -2, 2, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -1, -1, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
  ['equivalent', -1, -0.5, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -1, 0, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -1, 0.5, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -1, 1, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -1, 2, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -0.5, -0.5, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', -0.5, 0, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', -0.5, 0.5, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', -0.5, 1, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', -0.5, 2, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 0, 0, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', 0, 0.5, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', 0, 1, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 0, 2, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 0.5, 0.5, 'supported', 'within-sesoi', 'supported', 'within-sesoi'],
  ['equivalent', 0.5, 1, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 0.5, 2, 'inconclusive', 'crosses-sesoi', 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 1, 1, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
  ['equivalent', 1, 2, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
  ['equivalent', 2, 2, 'refuted', 'outside-sesoi', 'refuted', 'outside-sesoi'],
];

// Open-ended intervals and the fault of issue 11 (the ablation's H3: [-1.02, +0.25] against δ = 0.5).
const cases: Array<[ClaimDirection, number, number, JudgedVerdict, VerdictCode]> = [
  ['greater', -Infinity, Infinity, 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', 1.5, Infinity, 'supported', 'beyond-sesoi'],
  ['greater', -Infinity, 0.99, 'refuted', 'short-of-sesoi'],
  ['less', -Infinity, -1.5, 'supported', 'beyond-sesoi'],
  ['less', -0.99, Infinity, 'refuted', 'short-of-sesoi'],
  ['equivalent', -Infinity, 0.5, 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 1, Infinity, 'refuted', 'outside-sesoi'],
];

describe('judge: a table over every region, rule 2 and rule 1', () => {
  test.each(regions)('%s [%s, %s] with sesoi 1 -> rule 2 %s (%s), rule 1 %s (%s)', (direction, lower, upper, verdict, code, verdictOne, codeOne) => {
    const two = judge({ lower, upper }, { sesoi: 1, direction });
    expect([two.verdict, two.code]).toEqual([verdict, code]);
    expect(judge({ lower, upper }, { sesoi: 1, direction }, { rule: 2 })).toEqual(two);
    const one = judge({ lower, upper }, { sesoi: 1, direction }, { rule: 1 });
    expect([one.verdict, one.code]).toEqual([verdictOne, codeOne]);
    expect(two.reason.length).toBeGreaterThan(10);
  });

  test.each(cases)('%s [%s, %s] with sesoi 1 -> %s (%s)', (direction, lower, upper, verdict, code) => {
    const result = judge({ lower, upper }, { sesoi: 1, direction });
    expect([result.verdict, result.code]).toEqual([verdict, code]);
  });

  test('issue 11, fault 1: [-1.02, +0.25] against "effect > 0.5" is refuted (short of the SESOI); rule 1 called it inconclusive', () => {
    const two = judge({ lower: -1.02, upper: 0.25 }, { sesoi: 0.5, direction: 'greater' });
    expect(two).toMatchObject({ verdict: 'refuted', code: 'short-of-sesoi' });
    expect(two.reason).toBe('interval [-1.02, 0.25] lies wholly short of the SESOI 0.5: it excludes every effect of the claimed size');
    expect(judge({ lower: -1.02, upper: 0.25 }, { sesoi: 0.5, direction: 'greater' }, { rule: 1 })).toMatchObject({ verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi' });
    expect(CURRENT_VERDICT_RULE).toBe(2);
  });
});

describe('judge: reasons and bad input', () => {
  test('an interval that excludes zero but not the SESOI says so', () => {
    expect(judge({ lower: 0.004, upper: 0.021 }, { sesoi: 0.01, direction: 'greater' }).reason).toMatch(/^significant but possibly below the SESOI/);
  });

  test('a claim of "less than -δ" names its threshold with the sign: the SESOI -0.5, not 0.5', () => {
    expect(judge({ lower: -1.034, upper: -0.3953 }, { sesoi: 0.5, direction: 'less' }).reason).toBe('significant but possibly below the SESOI: interval [-1.034, -0.3953] excludes zero but not the SESOI -0.5');
    expect(judge({ lower: -0.2, upper: 0.3 }, { sesoi: 0.5, direction: 'less' }).reason).toBe('interval [-0.2, 0.3] lies wholly short of the SESOI -0.5: it excludes every effect of the claimed size');
    expect(judge({ lower: -0.9, upper: -0.6 }, { sesoi: 0.5, direction: 'less' }).reason).toContain('beyond the SESOI -0.5');
    expect(judge({ lower: 0.6, upper: 0.9 }, { sesoi: 0.5, direction: 'greater' }).reason).toContain('beyond the SESOI 0.5');
  });

  test('rejects a non-positive SESOI, NaN bounds, reversed bounds and unknown directions', () => {
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: 0, direction: 'greater' })).toThrow(InvalidInputError);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: -1, direction: 'greater' })).toThrow(/judge: sesoi is -1/);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: Infinity, direction: 'greater' })).toThrow(/sesoi is Infinity/);
    expect(() => judge({ lower: Number.NaN, upper: 1 }, { sesoi: 1, direction: 'greater' })).toThrow(/bounds are NaN and 1/);
    expect(() => judge({ lower: 2, upper: 1 }, { sesoi: 1, direction: 'greater' })).toThrow(/lower 2 exceeds upper 1/);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: 1, direction: 'bigger' as ClaimDirection })).toThrow(/direction 'bigger'/);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: 1, direction: 'greater' }, { rule: 3 as VerdictRule })).toThrow(/verdict rule 3 is unknown/);
  });
});

describe('judge properties (fast-check seed 17)', () => {
  const bound = fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(-Infinity, Infinity, 0, 1, -1));
  const interval = fc.tuple(bound, bound).map(([x, y]) => ({ lower: Math.min(x, y), upper: Math.max(x, y) }));
  const sesoi = fc.double({ min: 0.01, max: 3, noNaN: true });
  const runs = { seed: 17, numRuns: 500 };

  test("mirror symmetry: 'greater' on [l, u] judges like 'less' on [-u, -l]", () => {
    fc.assert(
      fc.property(interval, sesoi, ({ lower, upper }, s) => {
        const g = judge({ lower, upper }, { sesoi: s, direction: 'greater' });
        const l = judge({ lower: -upper, upper: -lower }, { sesoi: s, direction: 'less' });
        return g.verdict === l.verdict && g.code === l.code;
      }),
      runs,
    );
  });

  test('equivalence is symmetric under negation', () => {
    fc.assert(
      fc.property(interval, sesoi, ({ lower, upper }, s) => {
        const a = judge({ lower, upper }, { sesoi: s, direction: 'equivalent' });
        const b = judge({ lower: -upper, upper: -lower }, { sesoi: s, direction: 'equivalent' });
        return a.verdict === b.verdict && a.code === b.code;
      }),
      runs,
    );
  });

  test('a directional claim is never both supported and its mirror supported; widening never decides', () => {
    fc.assert(
      fc.property(interval, sesoi, fc.double({ min: 0, max: 2, noNaN: true }), ({ lower, upper }, s, widen) => {
        const g = judge({ lower, upper }, { sesoi: s, direction: 'greater' });
        const l = judge({ lower, upper }, { sesoi: s, direction: 'less' });
        if (g.verdict === 'supported' && l.verdict === 'supported') return false;
        // A wider interval can only move a verdict towards inconclusive, never to the other side.
        const wide = judge({ lower: lower - widen, upper: upper + widen }, { sesoi: s, direction: 'greater' });
        return wide.verdict === g.verdict || wide.verdict === 'inconclusive';
      }),
      runs,
    );
  });

  const rules: VerdictRule[] = [1, 2];

  test("minimum-effect testing: 'greater' is refuted exactly when the interval lies wholly short of δ, supported exactly when wholly beyond it", () => {
    fc.assert(
      fc.property(interval, sesoi, ({ lower, upper }, s) => {
        const g = judge({ lower, upper }, { sesoi: s, direction: 'greater' });
        return (g.verdict === 'refuted') === (upper < s) && (g.verdict === 'supported') === (lower > s) && (g.verdict === 'inconclusive') === (lower <= s && s <= upper);
      }),
      runs,
    );
  });

  test("minimum-effect testing: 'less' is refuted exactly when the interval lies wholly short of -δ, supported exactly when wholly beyond it", () => {
    fc.assert(
      fc.property(interval, sesoi, ({ lower, upper }, s) => {
        const l = judge({ lower, upper }, { sesoi: s, direction: 'less' });
        return (l.verdict === 'refuted') === (lower > -s) && (l.verdict === 'supported') === (upper < -s);
      }),
      runs,
    );
  });

  test('rule 1 refutes a subset of what rule 2 refutes; both support the same intervals; equivalence is judged alike', () => {
    fc.assert(
      fc.property(interval, sesoi, fc.constantFrom<ClaimDirection>('greater', 'less', 'equivalent'), ({ lower, upper }, s, direction) => {
        const one = judge({ lower, upper }, { sesoi: s, direction }, { rule: 1 });
        const two = judge({ lower, upper }, { sesoi: s, direction }, { rule: 2 });
        if (direction === 'equivalent') return one.verdict === two.verdict && one.code === two.code;
        return (one.verdict !== 'refuted' || two.verdict === 'refuted') && (one.verdict === 'supported') === (two.verdict === 'supported');
      }),
      runs,
    );
  });

  test.each(rules)('rule %s: mirror symmetry and widening hold', (rule) => {
    fc.assert(
      fc.property(interval, sesoi, fc.double({ min: 0, max: 2, noNaN: true }), ({ lower, upper }, s, widen) => {
        const g = judge({ lower, upper }, { sesoi: s, direction: 'greater' }, { rule });
        const l = judge({ lower: -upper, upper: -lower }, { sesoi: s, direction: 'less' }, { rule });
        const wide = judge({ lower: lower - widen, upper: upper + widen }, { sesoi: s, direction: 'greater' }, { rule });
        return g.verdict === l.verdict && g.code === l.code && (wide.verdict === g.verdict || wide.verdict === 'inconclusive');
      }),
      runs,
    );
  });
});
