import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { gatherSplit, stratifiedSplit, stratifiedSubsample } from './split.ts';

/** Labels of 2..300 examples over up to 6 classes, with a validation size and seed that fit. */
const splitCase = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 300 })
  .chain((labels) =>
    fc.record({
      labels: fc.constant(labels),
      validationSize: fc.integer({ min: 1, max: labels.length - 1 }),
      seed: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    }),
  );

function countsByClass(labels: ArrayLike<number>, indices: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < indices.length; i++) counts.set(labels[indices[i]], (counts.get(labels[indices[i]]) ?? 0) + 1);
  return counts;
}

describe('stratifiedSplit', () => {
  test.prop([splitCase])('is disjoint, covering, sorted and of the requested sizes', ({ labels, validationSize, seed }) => {
    const { trainIndices, validationIndices } = stratifiedSplit(labels, { validationSize, seed });
    expect(validationIndices.length).toBe(validationSize);
    expect(trainIndices.length).toBe(labels.length - validationSize);
    const all = [...trainIndices, ...validationIndices].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    for (const indices of [trainIndices, validationIndices]) {
      for (let i = 1; i < indices.length; i++) expect(indices[i]).toBeGreaterThan(indices[i - 1]);
    }
  });

  test.prop([splitCase])('keeps every class within one example of its proportional share', ({ labels, validationSize, seed }) => {
    const { trainIndices, validationIndices } = stratifiedSplit(labels, { validationSize, seed });
    const all = countsByClass(labels, labels.map((_, i) => i));
    const validation = countsByClass(labels, validationIndices);
    const train = countsByClass(labels, trainIndices);
    for (const [label, n] of all) {
      expect(Math.abs((validation.get(label) ?? 0) - (validationSize * n) / labels.length)).toBeLessThan(1);
      expect(Math.abs((train.get(label) ?? 0) - ((labels.length - validationSize) * n) / labels.length)).toBeLessThan(1);
    }
  });

  test.prop([splitCase])('is deterministic: the same seed gives the same split', ({ labels, validationSize, seed }) => {
    const a = stratifiedSplit(labels, { validationSize, seed });
    const b = stratifiedSplit(Uint8Array.from(labels), { validationSize, seed });
    expect(b.validationIndices).toEqual(a.validationIndices);
    expect(b.trainIndices).toEqual(a.trainIndices);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 })])('different seeds give different splits', (seed) => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
    const a = stratifiedSplit(labels, { validationSize: 200, seed });
    const b = stratifiedSplit(labels, { validationSize: 200, seed: seed + 1 });
    expect(b.validationIndices).not.toEqual(a.validationIndices);
  });

  test('is pinned: seedrandom(String(seed)) order, so a changed algorithm shows up here', () => {
    const labels = Uint8Array.from({ length: 20 }, (_, i) => i % 2);
    expect([...stratifiedSplit(labels, { validationSize: 4, seed: 0 }).validationIndices]).toMatchInlineSnapshot(`
      [
        1,
        2,
        4,
        13,
      ]
    `);
  });

  test('rejects bad arguments', () => {
    expect(() => stratifiedSplit([0, 1], { validationSize: 2, seed: 0 })).toThrow(InvalidInputError);
    expect(() => stratifiedSplit([0, 1], { validationSize: 0, seed: 0 })).toThrow(InvalidInputError);
    expect(() => stratifiedSplit([0, 1, 1], { validationSize: 1, seed: 0.5 })).toThrow(InvalidInputError);
    expect(() => stratifiedSplit([0, -1, 1], { validationSize: 1, seed: 0 })).toThrow(InvalidInputError);
    expect(() => stratifiedSplit([], { validationSize: 1, seed: 0 })).toThrow(/labels are empty/);
  });
});

describe('stratifiedSubsample', () => {
  test.prop([splitCase])('draws distinct sorted indices, stratified, same as the validation part of a split', ({ labels, validationSize, seed }) => {
    const subsample = stratifiedSubsample(labels, { size: validationSize, seed });
    expect(subsample).toEqual(stratifiedSplit(labels, { validationSize, seed }).validationIndices);
    expect(new Set(subsample).size).toBe(validationSize);
  });

  test('may take every example', () => {
    expect([...stratifiedSubsample([2, 0, 1], { size: 3, seed: 9 })]).toEqual([0, 1, 2]);
    expect(() => stratifiedSubsample([2, 0, 1], { size: 4, seed: 9 })).toThrow(InvalidInputError);
  });
});

describe('gatherSplit', () => {
  test('copies rows in the given order and converts bytes to floats unchanged', () => {
    const source = {
      featureShape: [2],
      numClasses: 3,
      features: Uint8Array.of(10, 11, 20, 21, 30, 31),
      labels: Uint8Array.of(0, 1, 2),
    };
    const split = gatherSplit(source, Int32Array.of(2, 0), 'validation');
    expect(split).toMatchObject({ name: 'validation', count: 2, featureShape: [2], numClasses: 3 });
    expect([...split.features]).toEqual([30, 31, 10, 11]);
    expect([...split.labels]).toEqual([2, 0]);
    expect(split.features).toBeInstanceOf(Float32Array);
  });

  test('rejects out-of-range indices and mismatched sources', () => {
    const source = { featureShape: [1], numClasses: 2, features: Uint8Array.of(1, 2), labels: Uint8Array.of(0, 1) };
    expect(() => gatherSplit(source, [2], 'train')).toThrow(InvalidInputError);
    expect(() => gatherSplit({ ...source, featureShape: [3] }, [0], 'train')).toThrow(InvalidInputError);
  });
});
