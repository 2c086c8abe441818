import { HypothesisDefinitionError } from '../errors.ts';
import type { Study } from '../study.ts';
import { contrast, pairedDifference, shiftDrop, topTwoOnValidation, validateHypothesis, type HypothesisSpec } from './index.ts';
import { describe, expect, test } from 'vitest';
import {
  A_MAIN, AB, arms, dataset, B_MAIN, base, bh, byId, byIdS, close, handContrast, handPaired, holm, hypothesis, HYPOTHESES, interval, lookup, mean, recordsFrom, runRecord, threeByTwo, twoByTwo, VALUES, variance,
} from '../../fixtures/analysis.ts';

describe('validateHypothesis', () => {
  const factorial = threeByTwo();
  const paired = arms(['mlp', 'gbt']);
  const pairedShift = arms(['a', 'b'], [1, 2, 3], { dataset: { ...dataset, hasShift: true } });
  const good = hypothesis('H1', contrast({ depth: { 8: 1, 2: -1 } }), 'greater', 0.5);

  function messageOf(study: Study, spec: unknown, seen = new Set<string>()): string {
    try {
      validateHypothesis(study, spec as HypothesisSpec, seen);
    } catch (error) {
      expect(error).toBeInstanceOf(HypothesisDefinitionError);
      return (error as Error).message;
    }
    throw new Error('expected a HypothesisDefinitionError, but nothing was thrown');
  }

  test('accepts well-formed contrasts, interactions, paired differences and top two', () => {
    expect(() => validateHypothesis(factorial, good, new Set())).not.toThrow();
    expect(() => validateHypothesis(factorial, hypothesis('H2', contrast({ depth: { 8: 1, 4: 1, 2: -2 }, act: { gelu: 1, relu: -1 } }), 'less', 1, 'exploratory', 'nll'), new Set(['H1']))).not.toThrow();
    expect(() => validateHypothesis(paired, hypothesis('P', pairedDifference('mlp', 'gbt'), 'equivalent', 1), new Set())).not.toThrow();
    expect(() => validateHypothesis(paired, hypothesis('T', topTwoOnValidation(), 'greater', 1), new Set())).not.toThrow();
    // Issue 13: any metric, a named sealed split, a shift drop.
    expect(() => validateHypothesis(pairedShift, { ...hypothesis('S', pairedDifference('a', 'b'), 'greater', 1, 'confirmatory', 'ece'), split: 'shift' }, new Set())).not.toThrow();
    expect(() => validateHypothesis(pairedShift, { ...hypothesis('S', pairedDifference('a', 'b'), 'greater', 1, 'confirmatory', 'brier'), split: 'test' }, new Set())).not.toThrow();
    expect(() => validateHypothesis(pairedShift, hypothesis('D', shiftDrop('a'), 'greater', 1, 'confirmatory', 'macroF1'), new Set())).not.toThrow();
  });

  const where = "hypothesis('H1') in study 'unit'";
  const cases: [string, Study, (spec: any) => void, string][] = [
    ['a bad id', factorial, (s) => (s.id = 'H 1'), `hypothesis('H 1') in study 'unit': id must be a short identifier like "H1". Fix: set id.`],
    ['an empty claim', factorial, (s) => (s.claim = ' '), `${where}: claim is missing. Fix: state the claim in words.`],
    ['an unknown direction', factorial, (s) => (s.direction = 'bigger'), `${where}: direction "bigger" is not "greater", "less" or "equivalent". Fix: register the direction or equivalence.`],
    ['a zero SESOI', factorial, (s) => (s.sesoi = 0), `${where}: sesoi must be a positive number, got 0. Fix: register the smallest effect size of interest in the metric's unit (accuracy: percentage points).`],
    ['an infinite SESOI', factorial, (s) => (s.sesoi = Infinity), `${where}: sesoi must be a positive number, got null.`],
    ['a string SESOI', factorial, (s) => (s.sesoi = '1'), `${where}: sesoi must be a positive number, got "1".`],
    ['no SESOI reason', factorial, (s) => delete s.sesoiReason, `${where}: sesoiReason is missing. Fix: say why the SESOI is that number.`],
    ['an undeclared family', factorial, (s) => (s.family = 'primary'), `${where}: family 'primary' is not in the study's analysis.families (confirmatory, exploratory). Fix: use a declared family or declare it in study.ts.`],
    ['an unknown metric', factorial, (s) => (s.metric = 'f1'), `${where}: unknown metric 'f1'. Fix: use accuracy, macroF1, nll, ece, brier.`],
    ['an unknown split', factorial, (s) => (s.split = 'validation'), `${where}: split "validation" is not "test" or "shift". Fix: name a sealed split: split: 'shift', or leave it out for the test split.`],
    ['a shift split in a study without one', factorial, (s) => (s.split = 'shift'), `${where}: split: 'shift' needs a shift split, and study 'unit' has none. Fix: register one in the dataset`],
    ['a shift drop in a study without a shift split', paired, (s) => (s.effect = shiftDrop('a')), `${where}: shiftDrop needs a shift split, and study 'unit' has none.`],
    ['a shift drop that names a split', pairedShift, (s) => { s.effect = shiftDrop('a'); s.split = 'shift'; }, `${where}: shiftDrop compares the test and shift splits itself, so split: 'shift' means nothing. Fix: remove split.`],
    ['a shift drop of an unknown arm', pairedShift, (s) => (s.effect = shiftDrop('c')), `${where}: no cell 'c'. Fix: use a, b.`],
    ['no effect', factorial, (s) => delete s.effect, `${where}: effect is not contrast(...), pairedDifference(...), topTwoOnValidation() or shiftDrop(...). Fix: build the effect with one of those helpers.`],
    ['a contrast in a paired study', paired, () => {}, `${where}: a contrast needs a factorial study. Fix: use pairedDifference() for arms.`],
    ['an unknown factor', factorial, (s) => (s.effect = contrast({ width: { 8: 1, 2: -1 } })), `${where}: unknown factor 'width'. Fix: use one of depth, act.`],
    ['an unknown level', factorial, (s) => (s.effect = contrast({ depth: { 16: 1, 2: -1 } })), `${where}: factor 'depth' has no level '16'. Fix: use 2, 4, 8.`],
    ['weights that do not sum to zero', factorial, (s) => (s.effect = contrast({ depth: { 8: 1, 2: -0.5 } })), `${where}: the weights of factor 'depth' sum to 0.5, not 0. Fix: a contrast compares levels: weights must sum to zero, e.g. { 8: 1, 2: -1 }.`],
    ['a contrast that names no factor', factorial, (s) => (s.effect = contrast({})), `${where}: the contrast names no factor. Fix: name the levels it compares, e.g. contrast({ depth: { 8: 1, 2: -1 } }).`],
    ['a factor whose weights are all zero', factorial, (s) => (s.effect = contrast({ depth: { 8: 0, 2: 0 } })), `${where}: the weights of factor 'depth' are all zero. Fix: give the levels compared non-zero weights that sum to zero, e.g. { 8: 1, 2: -1 }.`],
  ];
  test.each(cases)('rejects %s, naming the problem and the fix', (_name, study, edit, expected) => {
    const spec: any = { ...good };
    edit(spec);
    expect(messageOf(study, spec)).toContain(expected);
  });

  test('issue 11, fault 4: a misspelt field is a named error at run time, not silently judged on the primary metric', () => {
    const misspelt = { ...good, metirc: 'nll' };
    expect(messageOf(factorial, misspelt)).toBe(
      "hypothesis('H1') in study 'unit': unknown field 'metirc'. Fix: did you mean 'metric'? A hypothesis has id, claim, effect, metric, split, direction, sesoi, sesoiReason, family.",
    );
    expect(messageOf(factorial, { ...good, notes: 'x' })).toContain("unknown field 'notes'. Fix: remove it; a hypothesis has id, claim");
  });

  test('rejects a duplicate id', () => {
    expect(messageOf(factorial, good, new Set(['H1']))).toBe(`${where}: id 'H1' is used twice. Fix: give every hypothesis its own id.`);
  });

  test('rejects a paired difference of unknown or identical cells, and top two with one arm', () => {
    expect(messageOf(paired, hypothesis('H1', pairedDifference('mlp', 'svm'), 'greater', 1))).toBe(`${where}: no cell 'svm'. Fix: use mlp, gbt.`);
    expect(messageOf(paired, hypothesis('H1', pairedDifference('mlp', 'mlp'), 'greater', 1))).toBe(`${where}: compares a cell with itself. Fix: name two different cells.`);
    expect(messageOf(arms(['only']), hypothesis('H1', topTwoOnValidation(), 'greater', 1))).toBe(`${where}: top-two needs at least two cells. Fix: declare more arms.`);
  });
});
