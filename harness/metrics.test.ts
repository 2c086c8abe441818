import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.ts';
import { chanceMetrics, decodePredictions, encodePredictions, evaluatePredictions } from './metrics.ts';

describe('evaluatePredictions', () => {
  test('accuracy in percent and mean nll from row-major probabilities, computed by hand', () => {
    const probabilities = new Float32Array([
      0.7, 0.2, 0.1, // label 0: right, p = 0.7
      0.1, 0.3, 0.6, // label 1: wrong (predicts 2), p = 0.3
      0.2, 0.2, 0.6, // label 2: right, p = 0.6
      0.5, 0.4, 0.1, // label 1: wrong (predicts 0), p = 0.4
    ]);
    const labels = new Uint8Array([0, 1, 2, 1]);
    const { metrics, examples } = evaluatePredictions(probabilities, labels, 3);
    expect(metrics.accuracy).toBe(50);
    const nll = -(Math.log(Math.fround(0.7)) + Math.log(Math.fround(0.3)) + Math.log(Math.fround(0.6)) + Math.log(Math.fround(0.4))) / 4;
    expect(metrics.nll).toBeCloseTo(nll, 12);
    expect([...examples.predictedClass]).toEqual([0, 2, 2, 0]);
    expect([...examples.trueClassProbability]).toEqual([0.7, 0.3, 0.6, 0.4].map(Math.fround));
  });

  test('a tie goes to the lowest class index', () => {
    const { metrics, examples } = evaluatePredictions(new Float32Array([0.5, 0.5, 0.5, 0.5]), new Uint8Array([1, 0]), 2);
    expect([...examples.predictedClass]).toEqual([0, 0]);
    expect(metrics.accuracy).toBe(50);
  });

  test('a zero probability for the true class costs -ln(1e-12), not Infinity', () => {
    const { metrics } = evaluatePredictions(new Float32Array([1, 0]), new Uint8Array([1]), 2);
    expect(metrics.accuracy).toBe(0);
    expect(metrics.nll).toBeCloseTo(-Math.log(1e-12), 12);
  });

  test('NaN probabilities count as wrong and cost -ln(1e-12); an all-NaN row predicts class 255', () => {
    const probabilities = new Float32Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN, 0.9, 0.1]);
    const { metrics, examples } = evaluatePredictions(probabilities, new Uint8Array([0, 1]), 3);
    expect([...examples.predictedClass]).toEqual([255, 1]);
    expect([...examples.trueClassProbability]).toEqual([0, Math.fround(0.9)]);
    expect(metrics.accuracy).toBe(50);
    expect(metrics.nll).toBeCloseTo((-Math.log(1e-12) - Math.log(Math.fround(0.9))) / 2, 12);
  });

  test('rejects a prediction of the wrong length, naming the API and the fix', () => {
    expect(() => evaluatePredictions(new Float32Array(5), new Uint8Array(2), 3)).toThrow(InvalidInputError);
    expect(() => evaluatePredictions(new Float32Array(5), new Uint8Array(2), 3)).toThrow(
      'evaluatePredictions: got 5 probabilities for 2 examples x 3 classes. Fix: a model\'s predict() must return count * numClasses values, row-major.',
    );
  });

  test('a one-hot correct model scores 100% and nll 0; accuracy equals the mean of correct (fast-check seed 41)', () => {
    const problem = fc.integer({ min: 2, max: 6 }).chain((k) =>
      fc.record({
        k: fc.constant(k),
        rows: fc.array(fc.record({ label: fc.integer({ min: 0, max: k - 1 }), p: fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: k, maxLength: k }) }), { minLength: 1, maxLength: 30 }),
      }),
    );
    fc.assert(
      fc.property(problem, ({ k, rows }) => {
        const labels = new Uint8Array(rows.map((r) => r.label));
        const oneHot = new Float32Array(rows.length * k);
        rows.forEach((r, i) => (oneHot[i * k + r.label] = 1));
        expect(evaluatePredictions(oneHot, labels, k).metrics).toEqual({ accuracy: 100, nll: 0 });
        const probabilities = new Float32Array(rows.flatMap((r) => r.p));
        const { metrics, examples } = evaluatePredictions(probabilities, labels, k);
        const correct = rows.filter((r, i) => examples.predictedClass[i] === r.label).length;
        expect(metrics.accuracy).toBeCloseTo((100 * correct) / rows.length, 10);
        rows.forEach((r, i) => expect(r.p[examples.predictedClass[i]]).toBe(Math.max(...r.p)));
      }),
      { seed: 41, numRuns: 200 },
    );
  });
});

describe('chanceMetrics', () => {
  test('accuracy 100/K percent and nll ln K', () => {
    expect(chanceMetrics(10)).toEqual({ accuracy: 10, nll: Math.log(10) });
    expect(chanceMetrics(2)).toEqual({ accuracy: 50, nll: Math.LN2 });
  });

  test('is what a uniform predictor scores on nll', () => {
    const k = 4;
    const uniform = new Float32Array(3 * k).fill(1 / k);
    expect(evaluatePredictions(uniform, new Uint8Array([0, 1, 3]), k).metrics.nll).toBeCloseTo(chanceMetrics(k).nll, 6);
  });
});

describe('encodePredictions and decodePredictions', () => {
  test('store base64 of the typed arrays and a correctness flag per example', () => {
    const examples = { predictedClass: new Uint8Array([0, 2, 1]), trueClassProbability: new Float32Array([0.5, 0.25, 1]) };
    const encoded = encodePredictions(examples, new Uint8Array([0, 1, 1]));
    expect(encoded).toEqual({
      count: 3,
      predictedClass: Buffer.from([0, 2, 1]).toString('base64'),
      trueClassProbability: Buffer.from(new Float32Array([0.5, 0.25, 1]).buffer).toString('base64'),
      correct: Buffer.from([1, 0, 1]).toString('base64'),
    });
    expect(JSON.parse(JSON.stringify(encoded))).toEqual(encoded);
  });

  test('round-trip exactly, also from views into larger buffers (fast-check seed 42)', () => {
    const data = fc.array(fc.record({ predicted: fc.integer({ min: 0, max: 255 }), label: fc.integer({ min: 0, max: 9 }), p: fc.float({ noNaN: true }) }), { maxLength: 60 });
    fc.assert(
      fc.property(data, fc.integer({ min: 0, max: 5 }), (rows, offset) => {
        const n = rows.length;
        const predictedBuffer = new Uint8Array(n + offset + 3);
        const probabilityBuffer = new Float32Array(n + offset + 3);
        const predictedClass = predictedBuffer.subarray(offset, offset + n);
        const trueClassProbability = probabilityBuffer.subarray(offset, offset + n);
        rows.forEach((r, i) => {
          predictedClass[i] = r.predicted;
          trueClassProbability[i] = r.p;
        });
        predictedBuffer.fill(7, offset + n);
        probabilityBuffer.fill(7, offset + n);
        const labels = new Uint8Array(rows.map((r) => r.label));
        const decoded = decodePredictions(JSON.parse(JSON.stringify(encodePredictions({ predictedClass, trueClassProbability }, labels))));
        expect(decoded.predictedClass).toEqual(new Uint8Array(predictedClass));
        expect(decoded.trueClassProbability).toEqual(new Float32Array(trueClassProbability));
        expect([...decoded.correct]).toEqual(rows.map((r) => (r.predicted === r.label ? 1 : 0)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test('what evaluatePredictions found survives storage: accuracy recomputes from the stored flags', () => {
    const probabilities = new Float32Array([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
    const labels = new Uint8Array([0, 0, 0]);
    const { metrics, examples } = evaluatePredictions(probabilities, labels, 2);
    const decoded = decodePredictions(encodePredictions(examples, labels));
    expect((100 * decoded.correct.reduce((a, b) => a + b, 0)) / decoded.correct.length).toBe(metrics.accuracy);
    const nll = -[...decoded.trueClassProbability].reduce((a, p) => a + Math.log(p), 0) / 3;
    expect(nll).toBeCloseTo(metrics.nll, 12);
  });
});
