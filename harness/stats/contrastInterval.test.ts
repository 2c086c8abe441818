import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import reference from '../../fixtures/stats/anova.json';
import { assertClose } from '../../fixtures/stats/referenceValues.ts';
import { InvalidInputError } from '../errors.ts';
import { contrastInterval, type ContrastWeight } from './contrastInterval.ts';
import type { FactorialObservation } from './factorialAnova.ts';
import { studentTTest } from './studentTTest.ts';

describe('contrastInterval against R (lm by hand and emmeans)', () => {
  // Source: fixtures/stats/anova.json (reference.R): estimate = sum(w * cell means),
  // se = sqrt(deviance(fit) / df.residual(fit) * sum(w^2 / n)), checked against emmeans::contrast.
  test.each(reference.contrasts)('$name', ({ anova, block, confidence, weights, expected, emmeans }) => {
    const observations = reference.anovas[anova - 1].observations as FactorialObservation[];
    const result = contrastInterval(observations, weights as ContrastWeight[], {
      confidence,
      ...(block ? { block } : {}),
    });
    for (const key of ['estimate', 'standardError', 'df', 'lower', 'upper', 'statistic', 'pValue'] as const) {
      assertClose(result[key], expected[key], 1e-9, `${key} vs R by hand`);
    }
    for (const key of ['estimate', 'standardError', 'df', 'lower', 'upper', 'pValue'] as const) {
      assertClose(result[key], emmeans[key], 1e-9, `${key} vs emmeans`);
    }
    expect(result.confidence).toBe(confidence);
  });

  test('one-sided alternatives give one infinite bound', () => {
    const { observations } = reference.anovas[0];
    const weights = reference.contrasts[0].weights as ContrastWeight[];
    expect(contrastInterval(observations as FactorialObservation[], weights, { alternative: 'greater' }).upper).toBe(Infinity);
    expect(contrastInterval(observations as FactorialObservation[], weights, { alternative: 'less' }).lower).toBe(-Infinity);
  });
});

describe('contrastInterval rejects bad weights with InvalidInputError', () => {
  const observations = reference.anovas[2].observations as FactorialObservation[];
  const cell = (depth: number, activation: string, wd: number, weight: number) => ({ factors: { depth, activation, wd }, weight });

  test('a cell that does not exist, and a level of the wrong type', () => {
    expect(() => contrastInterval(observations, [cell(16, 'gelu', 0, 1), cell(2, 'gelu', 0, -1)], { block: 'seed' })).toThrow(InvalidInputError);
    expect(() => contrastInterval(observations, [cell(16, 'gelu', 0, 1)], { block: 'seed' })).toThrow(
      /contrastInterval: weights\[0\] names cell \(depth=16, activation="gelu", wd=0\), which is not in the design/,
    );
    expect(() =>
      contrastInterval(observations, [{ factors: { depth: '8', activation: 'gelu', wd: 0 }, weight: 1 }], { block: 'seed' }),
    ).toThrow(/8 is not '8'/);
  });

  test('an entry that names a subset of the factors, or the block', () => {
    expect(() => contrastInterval(observations, [{ factors: { depth: 8 }, weight: 1 }], { block: 'seed' })).toThrow(
      /must name one full cell by every treatment factor \(depth, activation, wd\); missing: activation, wd/,
    );
    expect(() =>
      contrastInterval(observations, [{ factors: { depth: 8, activation: 'gelu', wd: 0, seed: 1 }, weight: 1 }], { block: 'seed' }),
    ).toThrow(/not a treatment factor: seed \(the block is averaged over; leave it out\)/);
  });

  test('empty, non-finite, all-zero and duplicated weights', () => {
    expect(() => contrastInterval(observations, [], { block: 'seed' })).toThrow(/no weights given/);
    expect(() => contrastInterval(observations, [cell(8, 'gelu', 0, Number.NaN)], { block: 'seed' })).toThrow(/weights\[0\]\.weight is NaN/);
    expect(() => contrastInterval(observations, [cell(8, 'gelu', 0, 0)], { block: 'seed' })).toThrow(/every weight is zero/);
    expect(() => contrastInterval(observations, [cell(8, 'gelu', 0, 1), cell(8, 'gelu', 0, -1)], { block: 'seed' })).toThrow(
      /weights\[1\] names a cell already weighted/,
    );
  });

  test('design errors from the factorial fit and bad options', () => {
    expect(() => contrastInterval(observations.slice(1), [cell(8, 'gelu', 0, 1)], { block: 'seed' })).toThrow(/contrastInterval: cell .* has no observations/);
    expect(() => contrastInterval(observations, [cell(8, 'gelu', 0, 1)], { confidence: 1 })).toThrow(/contrastInterval: confidence 1/);
  });
});

describe('contrastInterval properties (fast-check seed 11)', () => {
  test('with two groups, the contrast (1, -1) is the pooled two-sample t interval', () => {
    const group = fc.array(fc.integer({ min: 0, max: 1000 }).map((x) => x / 1000), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(group, group, (a, b) => {
        const observations = [
          ...a.map((value) => ({ factors: { arm: 'A' }, value })),
          ...b.map((value) => ({ factors: { arm: 'B' }, value })),
        ];
        let pooled;
        try {
          pooled = studentTTest(a, b, { confidence: 0.9 });
        } catch {
          return true; // constant data: both reject it
        }
        const contrast = contrastInterval(observations, [{ factors: { arm: 'A' }, weight: 1 }, { factors: { arm: 'B' }, weight: -1 }], { confidence: 0.9 });
        return (
          Math.abs(contrast.lower - pooled.lower) < 1e-12 &&
          Math.abs(contrast.upper - pooled.upper) < 1e-12 &&
          Math.abs(contrast.pValue - pooled.pValue) < 1e-12 &&
          contrast.df === pooled.df
        );
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  test('the interval is linear in the weights: doubling them doubles estimate and bounds', () => {
    const observations = reference.anovas[2].observations as FactorialObservation[];
    const weights = reference.contrasts[1].weights as ContrastWeight[];
    const once = contrastInterval(observations, weights, { block: 'seed' });
    const twice = contrastInterval(observations, weights.map((w) => ({ ...w, weight: 2 * w.weight })), { block: 'seed' });
    assertClose(twice.estimate, 2 * once.estimate, 1e-12, 'estimate');
    assertClose(twice.lower, 2 * once.lower, 1e-12, 'lower');
    assertClose(twice.pValue, once.pValue, 1e-12, 'p-value');
  });
});
