import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import type { Split } from '../types.ts';
import { applyPreprocessing, describePreprocessing, fitPreprocessing, preprocessSplits } from './preprocess.ts';

function split(name: Split['name'], rows: number[][]): Split {
  return {
    name,
    count: rows.length,
    featureShape: [rows[0].length],
    numClasses: 2,
    features: Float32Array.from(rows.flat()),
    labels: Uint8Array.from(rows, (_, i) => i % 2),
  };
}

const train = split('train', [
  [0, 10, 7],
  [2, 20, 7],
  [4, 30, 7],
]);
const validation = split('validation', [[1, 15, 8]]);

describe('preprocessing', () => {
  test('scale divides by 255', () => {
    const fitted = fitPreprocessing('scale', train);
    expect(applyPreprocessing(fitted, split('test', [[0, 51, 255]])).features).toEqual(Float32Array.of(0, 51 / 255, 1));
  });

  test('standardize-global uses one population mean and standard deviation of the training values', () => {
    const fitted = fitPreprocessing('standardize-global', train);
    const values = [0, 10, 7, 2, 20, 7, 4, 30, 7];
    const mean = values.reduce((a, b) => a + b) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(fitted.mean[0]).toBeCloseTo(mean, 12);
    expect(fitted.std[0]).toBeCloseTo(std, 12);
    const out = applyPreprocessing(fitted, train).features;
    const outMean = out.reduce((a, b) => a + b) / out.length;
    expect(outMean).toBeCloseTo(0, 6);
  });

  test('standardize-per-feature standardizes each column; a constant column is only centred', () => {
    const fitted = fitPreprocessing('standardize-per-feature', train);
    expect([...fitted.mean]).toEqual([2, 20, 7]);
    expect(fitted.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(fitted.std[2]).toBe(1);
    const out = applyPreprocessing(fitted, validation).features;
    expect(out[0]).toBeCloseTo(-1 / Math.sqrt(8 / 3), 6);
    expect(out[2]).toBeCloseTo(1, 6);
  });

  test.each(['standardize-global', 'standardize-per-feature'] as const)(
    '%s uses training statistics only: other splits change nothing fitted on train',
    (method) => {
      const testA = split('test', [[100, 100, 100]]);
      const testB = split('test', [[-50, 3, 9000]]);
      const a = preprocessSplits(method, { train, validation, test: testA, shift: testA });
      const b = preprocessSplits(method, { train, validation: testB, test: testB });
      expect(b.fitted).toEqual(a.fitted);
      expect(b.splits.train.features).toEqual(a.splits.train.features);
      expect(b.splits.test.features).not.toEqual(a.splits.test.features);
      expect(a.splits.shift?.features).toEqual(a.splits.test.features);
      // The inputs are not modified unless inPlace is asked for.
      expect([...testA.features]).toEqual([100, 100, 100]);
    },
  );

  test('inPlace overwrites the given arrays', () => {
    const fresh = split('train', [[0], [255]]);
    const out = applyPreprocessing(fitPreprocessing('scale', fresh), fresh, { inPlace: true });
    expect(out.features).toBe(fresh.features);
    expect([...fresh.features]).toEqual([0, 1]);
  });

  test('bad method or mismatched width throws InvalidInputError', () => {
    expect(() => fitPreprocessing('minmax' as never, train)).toThrow(InvalidInputError);
    const fitted = fitPreprocessing('standardize-per-feature', train);
    expect(() => applyPreprocessing(fitted, split('test', [[1, 2]]))).toThrow(InvalidInputError);
  });

  test('describes itself for the report', () => {
    expect(describePreprocessing('scale')).toBe('divided by 255');
  });
});
