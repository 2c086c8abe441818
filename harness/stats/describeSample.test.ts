import { describe, expect, test } from 'vitest';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { describeSample } from './describeSample.ts';

describe('describeSample', () => {
  test('n, mean, sample variance and sd (divisor n - 1, as R), min and max', () => {
    // R 4.2.2: x <- c(0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0, 2)   (sleep group 1)
    //          print(c(mean(x), var(x), sd(x)), digits = 17) -> 0.75 3.2005555555555558 1.7890096577591625
    const d = describeSample([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0, 2]);
    expect(d.n).toBe(10);
    assertClose(d.mean, 0.75, 1e-14, 'mean vs R');
    assertClose(d.variance, 3.2005555555555558, 1e-14, 'var vs R');
    assertClose(d.sd, 1.7890096577591625, 1e-14, 'sd vs R');
    expect([d.min, d.max]).toEqual([-1.6, 3.7]);
  });

  test('keeps its digits when the values share many leading digits', () => {
    // 1e9 + (1, 2, 3, 4): the textbook one-pass formula sum(x^2) - n mean^2 returns garbage here.
    const d = describeSample([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]);
    expect(d.mean).toBe(1e9 + 2.5);
    assertClose(d.variance, 5 / 3, 1e-12, 'variance');
  });

  test('accepts typed arrays', () => {
    expect(describeSample(Float32Array.from([1, 2, 3, 4])).variance).toBeCloseTo(5 / 3, 14);
  });

  test('rejects fewer than two values and non-finite values', () => {
    expect(() => describeSample([])).toThrow(InvalidInputError);
    expect(() => describeSample([1])).toThrow(/describeSample: values has 1 value\(s\) but needs at least 2 values/);
    expect(() => describeSample([1, Number.NEGATIVE_INFINITY])).toThrow(/values\[1\] is -Infinity/);
    expect(() => describeSample(undefined as unknown as number[])).toThrow(/values is missing/);
  });
});
