import { describe, expect, test } from 'vitest';
import { familyAdjustedPValues } from './familyAdjust.ts';

describe('familyAdjustedPValues: a failed member counts as p = 1, the family never shrinks (issue 11, fault 2)', () => {
  test('Holm over the registered 3, not the 2 that computed', () => {
    // R: p.adjust(c(0.006943, 0.5), "holm", n = 3) -> 0.020829 1.000000
    const adjusted = familyAdjustedPValues([0.006943, null, 0.5], 'bonferroni');
    expect(adjusted[0]).toBeCloseTo(0.020829, 12);
    expect(adjusted[1]).toBeNull();
    expect(adjusted[2]).toBe(1);
  });

  test('Benjamini-Hochberg over the registered 3 and over 5', () => {
    // R: p.adjust(c(0.006943, 0.5), "BH", n = 3) -> 0.020829 0.750000
    const three = familyAdjustedPValues([null, 0.006943, 0.5], 'benjamini-hochberg');
    expect(three[0]).toBeNull();
    expect(three[1]).toBeCloseTo(0.020829, 12);
    expect(three[2]).toBeCloseTo(0.75, 12);
    // R: p.adjust(c(0.01, 0.04, 0.03), "BH", n = 5) -> 0.0500000000000000 0.0666666666666667 0.0666666666666667
    const five = familyAdjustedPValues([0.01, null, 0.04, null, 0.03], 'benjamini-hochberg');
    expect(five[0]).toBeCloseTo(0.05, 14);
    expect(five[2]).toBeCloseTo(0.0666666666666667, 14);
    expect(five[4]).toBeCloseTo(0.0666666666666667, 14);
  });

  test('a family of only failures gives only nulls, not a crash; an empty family gives nothing', () => {
    expect(familyAdjustedPValues([null, null, null], 'bonferroni')).toEqual([null, null, null]);
    expect(familyAdjustedPValues([null], 'benjamini-hochberg')).toEqual([null]);
    expect(familyAdjustedPValues([], 'bonferroni')).toEqual([]);
  });

  test('with no failures it is plain Holm: R p.adjust(c(0.01, 0.02, 0.03), "holm") -> 0.03 0.04 0.04', () => {
    const adjusted = familyAdjustedPValues([0.01, 0.02, 0.03], 'bonferroni');
    [0.03, 0.04, 0.04].forEach((q, i) => expect(adjusted[i]).toBeCloseTo(q, 14));
  });
});
