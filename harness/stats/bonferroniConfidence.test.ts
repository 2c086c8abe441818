import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { bonferroniConfidence } from './bonferroniConfidence.ts';

describe('bonferroniConfidence', () => {
  test('1 - (1 - confidence) / m', () => {
    expect(bonferroniConfidence(0.95, 4)).toBeCloseTo(0.9875, 15);
    expect(bonferroniConfidence(0.95, 1)).toBeCloseTo(0.95, 15);
    expect(bonferroniConfidence(0.9, 10)).toBeCloseTo(0.99, 15);
  });

  test('rejects a bad confidence or family size', () => {
    expect(() => bonferroniConfidence(1, 3)).toThrow(InvalidInputError);
    expect(() => bonferroniConfidence(0.95, 0)).toThrow(/bonferroniConfidence: family size m is 0/);
    expect(() => bonferroniConfidence(0.95, 2.5)).toThrow(/positive integer/);
  });
});
