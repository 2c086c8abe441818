import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { classificationOutcomes } from './classificationOutcomes.ts';

describe('classificationOutcomes', () => {
  test('reduces each row to its prediction (first on ties), true-class and top probability, and sum of squares', () => {
    const out = classificationOutcomes([0.7, 0.2, 0.1, 0.4, 0.4, 0.2, 0, 0, 1], [1, 0, 2], { numClasses: 3 });
    expect(Array.from(out.label)).toEqual([1, 0, 2]);
    expect(Array.from(out.predictedClass)).toEqual([0, 0, 2]);
    expect(Array.from(out.trueClassProbability)).toEqual([0.2, 0.4, 1]);
    expect(Array.from(out.topClassProbability)).toEqual([0.7, 0.4, 1]);
    const squares = Array.from(out.sumOfSquaredProbabilities);
    [0.54, 0.36, 1].forEach((v, i) => expect(squares[i]).toBeCloseTo(v, 15));
  });

  test('accepts float32 softmax rows that miss 1 by rounding', () => {
    const row = Float32Array.from([0.1, 0.2, 0.3, 0.4].map((v) => v + 1e-7));
    expect(classificationOutcomes(row, [3], { numClasses: 4 }).predictedClass[0]).toBe(3);
  });

  test('rejects bad inputs with the function named', () => {
    expect(() => classificationOutcomes([0.5, 0.5], [0], { numClasses: 1 })).toThrow(/numClasses/);
    expect(() => classificationOutcomes([0.5, 0.5], [], { numClasses: 2 })).toThrow(/no examples/);
    expect(() => classificationOutcomes([0.5, 0.5, 1], [0], { numClasses: 2 })).toThrow(/3 probabilities for 1 labels/);
    expect(() => classificationOutcomes([0.5, 0.5], [2], { numClasses: 2 })).toThrow(/label\[0\] is 2/);
    expect(() => classificationOutcomes([Number.NaN, 1], [0], { numClasses: 2 })).toThrow(InvalidInputError);
    expect(() => classificationOutcomes([0.6, 0.6], [0], { numClasses: 2 })).toThrow(/sum to 1.2/);
    expect(() => classificationOutcomes([2, -1], [0], { numClasses: 2 })).toThrow(/outside \[0, 1\]/);
  });
});
