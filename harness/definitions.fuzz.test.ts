/**
 * Fuzzed study and hypothesis definitions: structured fast-check arbitraries for every field of `defineStudy`'s input
 * and of a hypothesis spec, each field mostly valid and sometimes replaced by a wrong value (wrong type, null, empty,
 * NaN, Infinity, a name of Object.prototype such as 'constructor'). The contract: the result is a named error (a
 * subclass of HypotestError, StudyDefinitionError or HypothesisDefinitionError) or a definition that is valid by an
 * independent check; never a TypeError from deep inside, never an accepted definition the harness would crash on later.
 * Every failure prints fast-check's seed and path to replay it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { contrast, pairedDifference, shiftDrop, topTwoOnValidation } from './analysis/effects.ts';
import { validateHypothesis, type HypothesisSpec } from './analysis/hypothesisSpec.ts';
import { HypothesisDefinitionError, HypotestError, StudyDefinitionError } from './errors.ts';
import { defineStudy, METRICS, type Study, type StudyInput } from './study.ts';
import type { DatasetSpec } from './types.ts';

const OMIT = Symbol('omit');
const has = (object: unknown, key: unknown): boolean => typeof object === 'object' && object !== null && typeof key === 'string' && Object.prototype.hasOwnProperty.call(object, key);

/** A wrong value of any kind, including names that exist on every object's prototype. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, 0, -1, 1.5, '', ' ', true, false, [], {}),
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.constant(null)), { maxKeys: 2, noNullPrototype: true }),
);
/** Mostly a valid value, sometimes (1 in 31) a wrong one: about half the studies have every field valid. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: junk, weight: 1 });
}
/** An optional field: absent, valid or wrong. */
function optional<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: fc.constant(OMIT), weight: 1 }, { arbitrary: field(valid), weight: 1 });
}
/** A record whose fields are arbitraries; OMIT drops a field; sometimes one unknown or misspelt field is added. */
function object(fields: Record<string, fc.Arbitrary<unknown>>, misspellings: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const extra = fc.oneof({ arbitrary: fc.constant(null), weight: 30 }, { arbitrary: fc.constantFrom(...misspellings, 'extra', 'constructor'), weight: 1 });
  return fc.tuple(fc.record(fields), extra, junk).map(([record, extraName, extraValue]) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) if (value !== OMIT) out[key] = value;
    if (extraName !== null) out[extraName] = extraValue;
    return out;
  });
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const datasetSpec: DatasetSpec = {
  id: 'fuzz', description: 'never loaded', params: { n: 1 }, hasShift: false,
  load: async () => { throw new Error('the fuzz test never loads data'); },
};
const factorName = fc.constantFrom('a', 'b', 'depth');
const level = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom('x', 'y', 'z'));
const factors = fc.dictionary(factorName, fc.uniqueArray(level, { minLength: 2, maxLength: 3, selector: String }), { minKeys: 1, maxKeys: 2, noNullPrototype: true });

/** Cells of a factorial design over `levels`, sometimes with one cell dropped, doubled or given a wrong level or id. */
function cellsOf(levels: Record<string, readonly (string | number)[]>): fc.Arbitrary<unknown> {
  const combos = Object.entries(levels).reduce<Record<string, string | number>[]>((acc, [factor, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [factor]: v }))), [{}]);
  const cells = Object.fromEntries(combos.map((c, i) => [`c${i}`, { ...c, lr: 0.1 }]));
  return fc.oneof(
    { arbitrary: fc.constant(cells), weight: 24 },
    { arbitrary: fc.constant(Object.fromEntries(Object.entries(cells).slice(1))), weight: 1 },
    { arbitrary: fc.constant({ ...cells, extra: Object.values(cells)[0] }), weight: 1 },
    { arbitrary: junk.map((wrong) => ({ ...cells, c0: { ...cells.c0, [Object.keys(levels)[0]]: wrong } })), weight: 1 },
    { arbitrary: junk.map((wrong) => ({ ...cells, c0: wrong })), weight: 1 },
    { arbitrary: fc.constantFrom('Bad Id', '', '-x').map((id) => ({ ...cells, [id]: cells.c0 })), weight: 1 },
    { arbitrary: junk, weight: 1 },
  );
}

const seeds = fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 4 });
const budget = object({ epochs: field(fc.integer({ min: 1, max: 5 })), trainExamples: optional(fc.integer({ min: 1, max: 100 })), validationExamples: optional(fc.integer({ min: 1, max: 100 })) });
const family = object({ correction: field(fc.constantFrom('bonferroni', 'benjamini-hochberg')), confirmatory: field(fc.boolean()), description: optional(text) }, ['corection']);

/** A study declaration: every field of StudyInput, structured, each sometimes wrong. */
const studyInput: fc.Arbitrary<unknown> = factors.chain((levels) =>
  fc.record({
    factors: fc.oneof({ arbitrary: fc.constant(levels as unknown), weight: 24 }, { arbitrary: fc.constant(OMIT), weight: 1 }, { arbitrary: junk, weight: 1 }),
    cells: cellsOf(levels),
    seeds: field(seeds),
  }).chain(({ factors: declared, cells, seeds: declaredSeeds }) => {
    const declaredIds = cells && typeof cells === 'object' ? Object.keys(cells) : [];
    const cellIds = declaredIds.length > 0 ? declaredIds : ['c0'];
    const studyFields = {
      name: field(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/)),
      title: field(text),
      question: field(text),
      dataset: field(fc.constant(datasetSpec)),
      factors: fc.constant(declared),
      cells: fc.constant(cells),
      seeds: fc.constant(declaredSeeds),
      metrics: field(object({
        primary: field(fc.constantFrom('accuracy', 'macroF1', 'nll', 'ece', 'brier')),
        secondary: optional(fc.subarray(['accuracy', 'macroF1', 'nll', 'ece', 'brier'])),
        readAt: field(fc.constantFrom('final-epoch', 'best-validation-epoch')),
        eceBins: optional(fc.integer({ min: 1, max: 1000 })),
      }, ['primay', 'eceBin'])),
      budget: field(object({ registered: field(budget), quick: field(budget) }, ['registred'])),
      pilot: optional(object({
        cells: field(fc.subarray(cellIds, { minLength: 1 })),
        seeds: field(fc.uniqueArray(fc.integer({ min: 15, max: 120 }), { minLength: 2, maxLength: 3 })),
        reason: field(text),
      }, ['seed'])),
      analysis: field(object({
        model: field(fc.constantFrom('factorial', 'paired')),
        confidence: field(fc.double({ min: 0.5, max: 0.999, noNaN: true })),
        seedAsBlock: field(fc.boolean()),
        seedBlockReason: field(text),
        families: field(fc.dictionary(fc.constantFrom('confirmatory', 'exploratory'), field(family), { minKeys: 1, maxKeys: 2, noNullPrototype: true })),
        power: optional(fc.double({ min: 0.5, max: 0.99, noNaN: true })),
      }, ['confidance'])),
      diverged: field(object({ rule: field(fc.constantFrom('substitute-chance', 'mark-inconclusive')), reason: field(text) }, ['rules'])),
      notes: optional(fc.array(text, { maxLength: 2 })),
    };
    return object(studyFields, ['anaylsis', 'seed']);
  }),
);

/** An independent check that an accepted study is well formed (own properties only: 'constructor' is not a metric). */
function studyProblems(study: Study): string[] {
  const problems: string[] = [];
  if (!has(METRICS, study.metrics.primary)) problems.push(`metrics.primary ${String(study.metrics.primary)} is not a metric`);
  if (study.metrics.secondary !== undefined && (!Array.isArray(study.metrics.secondary) || !study.metrics.secondary.every((m) => has(METRICS, m)))) problems.push('metrics.secondary is not a list of metrics');
  for (const [name, plan] of Object.entries(study.analysis.families)) {
    if (!plan || typeof plan !== 'object' || !['bonferroni', 'benjamini-hochberg'].includes(plan.correction)) problems.push(`family ${name} is not a plan`);
    else if (typeof plan.confirmatory !== 'boolean') problems.push(`family ${name}.confirmatory is not true or false`);
  }
  if (study.pilot !== undefined && (!study.pilot || typeof study.pilot !== 'object')) problems.push('pilot is not an object');
  if (study.factors !== undefined && (!study.factors || typeof study.factors !== 'object')) problems.push('factors is not an object');
  if (!study.cellIds.every((id) => has(study.cells, id) && typeof study.cells[id] === 'object')) problems.push('a cell is not an object');
  if (study.notes !== undefined && (!Array.isArray(study.notes) || !study.notes.every((n) => typeof n === 'string'))) problems.push('notes is not a list of strings');
  if (typeof study.analysis.power === 'number' && !(study.analysis.power > 0 && study.analysis.power < 1)) problems.push('power is outside (0, 1)');
  if (study.metrics.eceBins !== undefined && !(Number.isInteger(study.metrics.eceBins) && study.metrics.eceBins >= 1 && study.metrics.eceBins <= 1000)) problems.push('metrics.eceBins is not an integer from 1 to 1000');
  return problems;
}

/** What a call gave: the value, a named error, or a crash (any other throw). */
function outcome<T>(fn: () => T): { value: T } | { named: HypotestError } | { crash: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return error instanceof HypotestError ? { named: error } : { crash: error };
  }
}
function describeCrash(crash: unknown): string {
  return crash instanceof Error ? `${crash.name}: ${crash.message}\n${crash.stack?.split('\n').slice(1, 4).join('\n')}` : String(crash);
}

// endOnFailure: report the first counterexample as found (shrinking nested chained records takes minutes); replay it with its seed and path.
const FUZZ = { seed: 15, numRuns: 400, endOnFailure: true };

describe('fuzzed study definitions (fast-check seed 15)', () => {
  test('defineStudy gives a StudyDefinitionError or a well-formed study, never a crash', () => {
    fc.assert(
      fc.property(studyInput, (input) => {
        const result = outcome(() => defineStudy(input as StudyInput));
        if ('crash' in result) throw new Error(`defineStudy crashed on ${safeJson(input)}: ${describeCrash(result.crash)}`);
        if ('named' in result) {
          expect(result.named).toBeInstanceOf(StudyDefinitionError);
          expect(result.named.message).toMatch(/Fix: /);
          return;
        }
        expect(studyProblems(result.value), safeJson(input)).toEqual([]);
      }),
      FUZZ,
    );
  });

  test('the arbitraries reach both outcomes: valid studies and refusals of many fields', () => {
    const samples = fc.sample(studyInput, { seed: 15, numRuns: 400 });
    const outcomes = samples.map((input) => outcome(() => defineStudy(input as StudyInput)));
    expect(outcomes.filter((o) => 'value' in o).length).toBeGreaterThan(60);
    const fields = new Set(outcomes.flatMap((o) => ('named' in o ? [o.named.message.split(': ')[1]] : [])));
    expect(fields.size).toBeGreaterThan(15);
  });
});

/** Valid studies to state hypotheses against: fuzzed declarations that defineStudy accepted (drawn once; generating them per run is slow). */
const validStudies: Study[] = fc.sample(studyInput, { seed: 16, numRuns: 200 })
  .map((input) => outcome(() => defineStudy(input as StudyInput)))
  .filter((o): o is { value: Study } => 'value' in o && studyProblems(o.value).length === 0)
  .map((o) => o.value);
const validStudy: fc.Arbitrary<Study> = fc.constantFrom(...validStudies);

/** A hypothesis spec against `study`: every field, structured, each sometimes wrong. */
function hypothesisSpec(study: Study): fc.Arbitrary<unknown> {
  const levels = study.factors ?? {};
  const factorNames = Object.keys(levels);
  const weights = factorNames.length === 0
    ? fc.constant({} as Record<string, Record<string, unknown>>)
    : fc.constantFrom(...factorNames).chain((factor) => {
      const [first, second] = levels[factor];
      return fc.record({ up: field(fc.constantFrom(1, 0.5)), down: field(fc.constantFrom(-1, -0.5)), other: fc.oneof({ arbitrary: fc.constant(OMIT), weight: 4 }, { arbitrary: junk, weight: 1 }) })
        .map(({ up, down, other }) => ({ [factor]: { [String(first)]: up, [String(second)]: down, ...(other === OMIT ? {} : { zz: other }) } }));
    });
  const effect = fc.oneof(
    { arbitrary: field(weights).map((w) => (w && typeof w === 'object' ? contrast(w as Record<string, Record<string, number>>, 'fuzzed contrast') : { kind: 'contrast', weights: w, label: 'x' })), weight: 3 },
    { arbitrary: fc.tuple(field(fc.constantFrom(...study.cellIds)), field(fc.constantFrom(...study.cellIds))).map(([a, b]) => (typeof a === 'string' && typeof b === 'string' ? pairedDifference(a, b) : { kind: 'paired', a, b, label: 'a − b' })), weight: 2 },
    { arbitrary: fc.constant(topTwoOnValidation()), weight: 1 },
    { arbitrary: field(fc.constantFrom(...study.cellIds)).map((arm) => (typeof arm === 'string' ? shiftDrop(arm) : { kind: 'shift-drop', arm, label: 'drop' })), weight: 1 },
    { arbitrary: junk, weight: 1 },
  );
  return object({
    id: field(fc.stringMatching(/^H[0-9]{1,2}$/)),
    claim: field(text),
    effect,
    metric: optional(fc.constantFrom('accuracy', 'macroF1', 'nll', 'ece', 'brier')),
    split: optional(fc.constantFrom('test', 'shift')),
    direction: field(fc.constantFrom('greater', 'less', 'equivalent')),
    sesoi: field(fc.double({ min: 0.01, max: 10, noNaN: true })),
    sesoiReason: field(text),
    family: field(fc.constantFrom(...Object.keys(study.analysis.families))),
  }, ['metirc', 'sesio', 'splits']);
}

/** An independent check that an accepted hypothesis is well formed. */
function hypothesisProblems(study: Study, spec: HypothesisSpec): string[] {
  const problems: string[] = [];
  if (!has(study.analysis.families, spec.family)) problems.push(`family ${String(spec.family)} is not declared`);
  if (spec.metric !== undefined && !has(METRICS, spec.metric)) problems.push(`metric ${String(spec.metric)} is not a metric`);
  if (!(typeof spec.sesoi === 'number' && spec.sesoi > 0 && Number.isFinite(spec.sesoi))) problems.push('sesoi is not a positive number');
  if (spec.effect.kind === 'contrast') {
    for (const [factor, weights] of Object.entries(spec.effect.weights)) {
      if (!weights || typeof weights !== 'object') problems.push(`weights of ${factor} are not an object`);
      else if (!Object.values(weights).every((w) => typeof w === 'number' && Number.isFinite(w))) problems.push(`weights of ${factor} are not finite numbers`);
    }
  }
  if (spec.split !== undefined && spec.split !== 'test' && !(spec.split === 'shift' && study.dataset.hasShift)) problems.push(`split ${String(spec.split)} is not a sealed split of the study`);
  if (spec.effect.kind === 'shift-drop' && (!study.dataset.hasShift || spec.split !== undefined || !study.cellIds.includes(spec.effect.arm))) problems.push('a shift drop without a shift split, with a split, or of an unknown arm');
  if (spec.effect.kind === 'paired' && (!study.cellIds.includes(spec.effect.a) || !study.cellIds.includes(spec.effect.b) || spec.effect.a === spec.effect.b)) problems.push('paired cells are not two cells of the study');
  return problems;
}

describe('fuzzed hypothesis definitions (fast-check seed 15)', () => {
  test('validateHypothesis gives a HypothesisDefinitionError or accepts a well-formed hypothesis, never a crash', () => {
    fc.assert(
      fc.property(validStudy.chain((study) => fc.tuple(fc.constant(study), hypothesisSpec(study), fc.boolean())), ([study, spec, seenBefore]) => {
        const seen = new Set<string>(seenBefore ? ['H1'] : []);
        const result = outcome(() => validateHypothesis(study, spec as HypothesisSpec, seen));
        if ('crash' in result) throw new Error(`validateHypothesis crashed on ${safeJson(spec)} (study cells ${study.cellIds.join(', ')}; factors ${safeJson(study.factors)}): ${describeCrash(result.crash)}`);
        if ('named' in result) {
          expect(result.named).toBeInstanceOf(HypothesisDefinitionError);
          expect(result.named.message).toMatch(/Fix: /);
          return;
        }
        expect(hypothesisProblems(study, spec as HypothesisSpec), safeJson(spec)).toEqual([]);
      }),
      FUZZ,
    );
  });
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'function' ? '[function]' : v))?.slice(0, 600) ?? String(value);
  } catch {
    return String(value);
  }
}

describe.runIf(process.env.HYPOTEST_FUZZ_SURVEY === '1')('survey: every kind of failure found (HYPOTEST_FUZZ_SURVEY=1)', () => {
  test('lists crashes and wrongly accepted definitions by kind', () => {
    const kinds = new Map<string, string>();
    for (const input of fc.sample(studyInput, { seed: 15, numRuns: 1500 })) {
      const result = outcome(() => defineStudy(input as StudyInput));
      if ('crash' in result) kinds.set(`defineStudy crash: ${describeCrash(result.crash).split('\n').slice(0, 2).join(' ')}`, safeJson(input).slice(0, 300));
      else if ('value' in result) for (const problem of studyProblems(result.value)) kinds.set(`defineStudy accepted: ${problem.replace(/ \S+ is not/, ' X is not')}`, safeJson(input).slice(0, 300));
    }
    for (const [study, spec] of fc.sample(validStudy.chain((study) => fc.tuple(fc.constant(study), hypothesisSpec(study))), { seed: 15, numRuns: 1500 })) {
      const result = outcome(() => validateHypothesis(study, spec as HypothesisSpec, new Set()));
      if ('crash' in result) kinds.set(`validateHypothesis crash: ${describeCrash(result.crash).split('\n').slice(0, 2).join(' ')}`, safeJson(spec).slice(0, 300));
      else if ('value' in result) for (const problem of hypothesisProblems(study, spec as HypothesisSpec)) kinds.set(`validateHypothesis accepted: ${problem}`, safeJson(spec).slice(0, 300));
    }
    console.log([...kinds].map(([kind, example]) => `${kind}\n    e.g. ${example}`).join('\n'));
  });
});
