import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { judge, type ClaimDirection, type JudgedVerdict, type VerdictCode } from './judge.ts';

// The rule of DESIGN.md (Statistics), case by case, with sesoi = 1.
const cases: Array<[ClaimDirection, number, number, JudgedVerdict, VerdictCode]> = [
  ['greater', 1.2, 3, 'supported', 'beyond-sesoi'],
  ['greater', 1, 3, 'inconclusive', 'significant-below-sesoi'], // lower must exceed the SESOI strictly
  ['greater', 0.2, 3, 'inconclusive', 'significant-below-sesoi'],
  ['greater', 0.2, 0.8, 'refuted', 'within-sesoi'],
  ['greater', -0.5, 0.5, 'refuted', 'within-sesoi'],
  ['greater', -3, -0.1, 'refuted', 'wrong-direction'],
  ['greater', -0.5, -0.1, 'refuted', 'wrong-direction'],
  ['greater', -0.5, 2, 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', -2, 0.5, 'inconclusive', 'includes-zero-and-opposite-sesoi'],
  ['greater', -Infinity, Infinity, 'inconclusive', 'includes-zero-and-sesoi'],
  ['greater', 1.5, Infinity, 'supported', 'beyond-sesoi'],
  ['less', -3, -1.2, 'supported', 'beyond-sesoi'],
  ['less', -3, -0.2, 'inconclusive', 'significant-below-sesoi'],
  ['less', 0.1, 3, 'refuted', 'wrong-direction'],
  ['less', -0.8, 0.3, 'refuted', 'within-sesoi'],
  ['less', -Infinity, -1.5, 'supported', 'beyond-sesoi'],
  ['equivalent', -0.5, 0.9, 'supported', 'within-sesoi'],
  ['equivalent', -1, 0.9, 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 0.5, 2, 'inconclusive', 'crosses-sesoi'],
  ['equivalent', 1, 2, 'refuted', 'outside-sesoi'],
  ['equivalent', -3, -1, 'refuted', 'outside-sesoi'],
  ['equivalent', -3, 3, 'inconclusive', 'crosses-sesoi'],
];

describe('judge follows the DESIGN.md verdict rule', () => {
  test.each(cases)('%s [%s, %s] with sesoi 1 -> %s (%s)', (direction, lower, upper, verdict, code) => {
    const result = judge({ lower, upper }, { sesoi: 1, direction });
    expect(result.verdict).toBe(verdict);
    expect(result.code).toBe(code);
    expect(result.reason.length).toBeGreaterThan(10);
  });

  test('an interval that excludes zero but not the SESOI says so', () => {
    expect(judge({ lower: 0.004, upper: 0.021 }, { sesoi: 0.01, direction: 'greater' }).reason).toMatch(/^significant but possibly below the SESOI/);
  });

  test('rejects a non-positive SESOI, NaN bounds, reversed bounds and unknown directions', () => {
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: 0, direction: 'greater' })).toThrow(InvalidInputError);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: -1, direction: 'greater' })).toThrow(/judge: sesoi is -1/);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: Infinity, direction: 'greater' })).toThrow(/sesoi is Infinity/);
    expect(() => judge({ lower: Number.NaN, upper: 1 }, { sesoi: 1, direction: 'greater' })).toThrow(/bounds are NaN and 1/);
    expect(() => judge({ lower: 2, upper: 1 }, { sesoi: 1, direction: 'greater' })).toThrow(/lower 2 exceeds upper 1/);
    expect(() => judge({ lower: 0, upper: 1 }, { sesoi: 1, direction: 'bigger' as ClaimDirection })).toThrow(/direction 'bigger'/);
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
});
