import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PredictionOutputError } from './errors.ts';
import { chanceMetrics, checkProbabilities, decodePredictions, encodePredictions, evaluatePredictions, PROBABILITY_SUM_TOLERANCE } from './metrics.ts';
import { brierScore, classificationOutcomes, expectedCalibrationError } from './stats/index.ts';
import reference from '../fixtures/stats/classificationMetrics.json';

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

  test('issue 11, fault 3: logits are refused with a named error that says to apply softmax, not scored as 100% and nll -0.916', () => {
    // Row [2.5, -1, 0.3], true class 0: scored as probabilities this was accuracy 100% and nll -ln(2.5) = -0.916.
    const logits = new Float32Array([2.5, -1, 0.3]);
    const error = (() => { try { evaluatePredictions(logits, new Uint8Array([0]), 3); } catch (e) { return e as Error; } return null; })();
    expect(error).toBeInstanceOf(PredictionOutputError);
    expect(error!.message).toBe(
      'evaluatePredictions: these are not probabilities: row 0 is [2.5, -1, 0.3] and has a value outside [0, 1] (2.5). ' +
        'Fix: predict() must return class probabilities, row-major (count × numClasses, each row summing to 1): apply softmax to logits before returning them.',
    );
  });

  test.each([
    ['NaN', [0.5, 0.5, Number.NaN, 0.2, 0.8, 0], /row 0 .* has a non-finite value \(NaN\)/],
    ['Infinity', [0.5, 0.5, 0, Infinity, 0, 0], /row 1 .* has a non-finite value \(Infinity\)/],
    ['a negative value', [0.5, 0.5, 0, 1.1, -0.1, 0], /row 1 .* outside \[0, 1\] \(1\.1/],
    ['a row summing to 0.9', [0.5, 0.5, 0, 0.3, 0.3, 0.3], /row 1 is \[0\.3, 0\.3, 0\.3\] and sums to 0\.9\d*, not 1 \(tolerance 0\.001\)/],
    ['the wrong length', [0.5, 0.5, 0, 1, 0], /got 5 values for 2 examples x 3 classes/],
  ])('refuses %s, naming the row, with the softmax fix', (_name, values, message) => {
    const run = () => evaluatePredictions(new Float32Array(values as number[]), new Uint8Array([0, 1]), 3);
    expect(run).toThrow(PredictionOutputError);
    expect(run).toThrow(message as RegExp);
    expect(run).toThrow('apply softmax');
  });

  test(`rows may sum to 1 within ${PROBABILITY_SUM_TOLERANCE}, no further; 0 and 1 are probabilities`, () => {
    expect(() => checkProbabilities(new Float32Array([0.5, 0.5009]), 1, 2)).not.toThrow();
    expect(() => checkProbabilities(new Float32Array([0.5, 0.4991]), 1, 2)).not.toThrow();
    expect(() => checkProbabilities(new Float32Array([0.5, 0.502]), 1, 2)).toThrow(PredictionOutputError);
    expect(() => checkProbabilities(new Float32Array([1, 0, 0, 1]), 2, 2)).not.toThrow();
    // A float32 softmax of ten classes passes.
    const logits = [3, -2, 0.5, 8, -7, 1, 1, 0, 2.5, -0.3];
    const z = logits.reduce((a, x) => a + Math.exp(x - 8), 0);
    expect(() => checkProbabilities(new Float32Array(logits.map((x) => Math.exp(x - 8) / z)), 1, 10)).not.toThrow();
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
        const perfect = evaluatePredictions(oneHot, labels, k).metrics;
        expect({ accuracy: perfect.accuracy, nll: perfect.nll, ece: perfect.ece, brier: perfect.brier }).toEqual({ accuracy: 100, nll: 0, ece: 0, brier: 0 });
        // Macro-F1 averages over all k classes: a class neither present nor predicted scores 0.
        expect(perfect.macroF1).toBeCloseTo((100 * new Set(rows.map((r) => r.label)).size) / k, 10);
        // Normalised rows (an all-zero row becomes uniform): the values must be probabilities.
        const normalised = rows.map((r) => { const sum = r.p.reduce((a, b) => a + b, 0); return sum > 0 ? r.p.map((v) => Math.fround(v / sum)) : r.p.map(() => 1 / k); });
        const probabilities = new Float32Array(normalised.flat());
        const { metrics, examples } = evaluatePredictions(probabilities, labels, k);
        const correct = rows.filter((r, i) => examples.predictedClass[i] === r.label).length;
        expect(metrics.accuracy).toBeCloseTo((100 * correct) / rows.length, 10);
        normalised.forEach((p, i) => expect(p[examples.predictedClass[i]]).toBe(Math.max(...p)));
      }),
      { seed: 41, numRuns: 200 },
    );
  });
});

describe('chanceMetrics', () => {
  test('accuracy and macro-F1 100/K percent, nll ln K, ECE 0, Brier 1 - 1/K', () => {
    expect(chanceMetrics(10)).toEqual({ accuracy: 10, macroF1: 10, nll: Math.log(10), ece: 0, brier: 0.9 });
    expect(chanceMetrics(2)).toEqual({ accuracy: 50, macroF1: 50, nll: Math.LN2, ece: 0, brier: 0.5 });
  });

  test('is what a uniform predictor scores on ECE and Brier (classes balanced, ties to the first class)', () => {
    const k = 4;
    const uniform = new Float32Array(8 * k).fill(1 / k);
    const { metrics } = evaluatePredictions(uniform, new Uint8Array([0, 1, 2, 3, 0, 1, 2, 3]), k);
    expect(metrics.brier).toBeCloseTo(chanceMetrics(k).brier, 6);
    expect(metrics.ece).toBeCloseTo(chanceMetrics(k).ece, 5);
    expect(metrics.accuracy).toBe(chanceMetrics(k).accuracy);
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

  test('records keep the top-class probability and the sum of squares: ECE and Brier recompute from them', () => {
    const probabilities = new Float32Array([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.8, 0.1, 0.4, 0.35, 0.25, 0.3, 0.45, 0.25]);
    const labels = new Uint8Array([0, 1, 1, 2, 0, 2]);
    const decoded = decodePredictions(JSON.parse(JSON.stringify(encodePredictions(evaluatePredictions(probabilities, labels, 3).examples, labels))));
    const fromRecord = { label: labels, predictedClass: decoded.predictedClass, trueClassProbability: decoded.trueClassProbability,
      topClassProbability: decoded.topClassProbability!, sumOfSquaredProbabilities: decoded.sumOfSquaredProbabilities! };
    const direct = classificationOutcomes(probabilities, labels, { numClasses: 3 });
    // float32 storage: equal to the float64 computation within float32 rounding.
    expect(brierScore(fromRecord)).toBeCloseTo(brierScore(direct), 6);
    expect(expectedCalibrationError(fromRecord, { bins: 10 })).toBeCloseTo(expectedCalibrationError(direct, { bins: 10 }), 6);
    expect(Array.from(decoded.topClassProbability!)).toEqual(Array.from(Float32Array.from([0.7, 0.6, 0.5, 0.8, 0.4, 0.45])));
  });

  test('a record written before issue 13 (no top-class probabilities or sums of squares) still decodes', () => {
    const old = { count: 2, predictedClass: Buffer.from([0, 1]).toString('base64'), trueClassProbability: Buffer.from(new Float32Array([0.9, 0.2]).buffer).toString('base64'), correct: Buffer.from([1, 0]).toString('base64') };
    const decoded = decodePredictions(old);
    expect(Array.from(decoded.predictedClass)).toEqual([0, 1]);
    expect(decoded.topClassProbability).toBeUndefined();
    expect(decoded.sumOfSquaredProbabilities).toBeUndefined();
    expect(Object.keys(encodePredictions(decoded, new Uint8Array([0, 0]))).sort()).toEqual(['correct', 'count', 'predictedClass', 'trueClassProbability']);
  });
});

describe('every metric against the reference values (issue 13)', () => {
  // fixtures/stats/classificationMetrics.json, made by
  //   /usr/bin/python3 fixtures/stats/classification_metrics.py > fixtures/stats/classificationMetrics.json
  // (scikit-learn 1.2.1 f1_score(average='macro') and log_loss; ECE and Brier from their definitions in NumPy).
  // evaluatePredictions reads float32 probabilities, so the tolerance is float32 rounding, not float64's.
  for (const c of reference.cases) {
    for (const { bins, value } of c.expected.expectedCalibrationError) {
      test(`${c.name}, ${bins} ECE bins: accuracy, macro-F1 and ECE in percent, nll in nats, Brier`, () => {
        const { metrics } = evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), c.numClasses, { eceBins: bins });
        const top = c.labels.map((_, i) => c.probabilities.slice(i * c.numClasses, (i + 1) * c.numClasses)).map((row) => row.indexOf(Math.max(...row)));
        expect(metrics.accuracy).toBeCloseTo((100 * top.filter((p, i) => p === c.labels[i]).length) / c.labels.length, 10);
        expect(metrics.macroF1!).toBeCloseTo(100 * c.expected.macroF1, 8);
        expect(metrics.nll).toBeCloseTo(c.expected.negativeLogLikelihood, 6);
        // A confidence exactly on a bin edge (0.6 with 5 bins) is just above it in float32 (0.6000000238) and so falls in
        // the next bin: there the reference is the same definition on the float32-rounded inputs.
        const confidences = c.labels.map((_, i) => Math.max(...c.probabilities.slice(i * c.numClasses, (i + 1) * c.numClasses)));
        const onEdge = confidences.some((t) => Math.abs(t * bins - Math.round(t * bins)) < 1e-9 && Math.fround(t) !== t);
        const float32 = classificationOutcomes(Array.from(new Float32Array(c.probabilities)), c.labels, { numClasses: c.numClasses });
        expect(metrics.ece!).toBeCloseTo(100 * (onEdge ? expectedCalibrationError(float32, { bins }) : value), 4);
        expect(metrics.brier!).toBeCloseTo(c.expected.brierScore, 6);
      });
    }
  }

  test('the default ECE bin count is 15', () => {
    const c = reference.cases.find((r) => r.expected.expectedCalibrationError.some((e) => e.bins === 15))!;
    const { metrics } = evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), c.numClasses);
    expect(metrics.ece!).toBeCloseTo(100 * c.expected.expectedCalibrationError.find((e) => e.bins === 15)!.value, 4);
  });

  test('with groups, every metric per group equals the metric of that group alone, and the groups are kept per example', () => {
    const c = reference.cases[1]; // 500 examples, ten classes
    const k = c.numClasses;
    const groups = Uint8Array.from(c.labels, (_, i) => i % 3);
    const names = ['gaussian-blur-3', 'rotate-2', 'contrast-1'];
    const all = evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), k, { eceBins: 10, groups, groupNames: names });
    expect(all.metrics).toEqual(evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), k, { eceBins: 10 }).metrics);
    for (let g = 0; g < 3; g++) {
      const members = [...groups.keys()].filter((i) => groups[i] === g);
      const alone = evaluatePredictions(Float32Array.from(members.flatMap((i) => c.probabilities.slice(i * k, (i + 1) * k))), Uint8Array.from(members, (i) => c.labels[i]), k, { eceBins: 10 });
      expect(all.byGroup![names[g]]).toEqual(alone.metrics);
    }
    const decoded = decodePredictions(JSON.parse(JSON.stringify(encodePredictions(all.examples, new Uint8Array(c.labels), names))));
    expect(decoded.groups).toEqual(groups);
    expect(decoded.groupNames).toEqual(names);
    expect(() => evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), k, { groups: groups.subarray(1), groupNames: names })).toThrow(/groups for 500 examples/);
    expect(() => evaluatePredictions(new Float32Array(c.probabilities), new Uint8Array(c.labels), k, { groups, groupNames: names.slice(0, 2) })).toThrow(/only 2 group names/);
  });
});
