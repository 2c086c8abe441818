import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { StudyDefinitionError } from './errors.ts';
import { defineStudy, factorialCells, hypotestRoot, type StudyInput } from './study.ts';
import type { DatasetSpec } from './types.ts';

/** A dataset spec that never loads: defineStudy only checks its shape. */
const dataset: DatasetSpec = {
  id: 'fake',
  description: 'a fake dataset for unit tests',
  params: { size: 1 },
  hasShift: false,
  load: async () => {
    throw new Error('the fake dataset is never loaded in unit tests');
  },
};

const factors = { depth: [2, 4], activation: ['relu', 'gelu'] } as const;

/** A valid 2x2 factorial study input; each test breaks one field. */
function validInput(): StudyInput {
  return {
    name: 'unit-study',
    title: 'Unit study',
    question: 'Does depth help?',
    dataset,
    factors,
    cells: factorialCells(factors, (c) => `d${c.depth}-${c.activation}`),
    seeds: [1, 2, 3],
    metrics: { primary: 'accuracy', secondary: ['nll'], readAt: 'final-epoch' },
    budget: { registered: { epochs: 10 }, quick: { epochs: 1, trainExamples: 100 } },
    analysis: {
      model: 'factorial',
      confidence: 0.95,
      seedAsBlock: true,
      seedBlockReason: 'seeds drive the data order in every cell',
      families: { confirmatory: { correction: 'bonferroni', confirmatory: true } },
    },
    diverged: { rule: 'substitute-chance', reason: 'penalise divergence' },
  };
}

/** Returns the input with `edit` applied to a deep copy (functions kept). */
function broken(edit: (input: any) => void): StudyInput {
  const input: any = { ...validInput(), dataset };
  for (const key of ['cells', 'metrics', 'budget', 'analysis', 'diverged'] as const) input[key] = structuredClone(input[key]);
  input.seeds = [...input.seeds];
  input.factors = structuredClone(input.factors);
  edit(input);
  return input;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StudyDefinitionError);
    expect((error as Error).name).toBe('StudyDefinitionError');
    return (error as Error).message;
  }
  throw new Error('expected a StudyDefinitionError, but nothing was thrown');
}

describe('defineStudy accepts a valid study', () => {
  test('keeps every field, lists the cells, and is frozen', () => {
    const study = defineStudy(validInput());
    expect(study.name).toBe('unit-study');
    expect(study.cellIds).toEqual(['d2-relu', 'd2-gelu', 'd4-relu', 'd4-gelu']);
    expect(study.seeds).toEqual([1, 2, 3]);
    expect(study.budget.quick).toEqual({ epochs: 1, trainExamples: 100 });
    expect(Object.isFrozen(study)).toBe(true);
    expect(() => {
      (study as any).name = 'other';
    }).toThrow(TypeError);
  });

  test('levelsOf returns the factor levels of a cell (types kept), and names the cells when it does not know one', () => {
    const study = defineStudy({ ...validInput(), cells: factorialCells(factors, (c) => `d${c.depth}-${c.activation}`, { width: 16 }) });
    expect(study.levelsOf('d4-gelu')).toEqual({ depth: 4, activation: 'gelu' });
    expect(study.cells['d4-gelu']).toEqual({ depth: 4, activation: 'gelu', width: 16 });
    expect(messageOf(() => study.levelsOf('d8-gelu'))).toBe(
      "study 'unit-study': no cell 'd8-gelu'. Fix: use one of d2-relu, d2-gelu, d4-relu, d4-gelu.",
    );
  });

  test('a study without factors (arms) has empty levels', () => {
    const study = defineStudy({
      ...validInput(),
      factors: undefined,
      cells: { mlp: { kind: 'mlp' }, gbt: { kind: 'gbt' } },
      analysis: { ...validInput().analysis, model: 'paired' },
    });
    expect(study.cellIds).toEqual(['mlp', 'gbt']);
    expect(study.levelsOf('mlp')).toEqual({});
  });
});

describe('study.directory', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  test('is experiments/<name> under the root when that folder exists', () => {
    root = mkdtempSync(join(os.tmpdir(), 'hypotest-study-'));
    mkdirSync(join(root, 'experiments', 'unit-study'), { recursive: true });
    expect(defineStudy(validInput()).directory(root)).toBe(join(root, 'experiments', 'unit-study'));
  });

  test('throws naming the folder and the fix when the name does not match a folder', () => {
    root = mkdtempSync(join(os.tmpdir(), 'hypotest-study-'));
    const message = messageOf(() => defineStudy(validInput()).directory(root));
    expect(message).toContain(`folder ${join(root, 'experiments', 'unit-study')} does not exist`);
    expect(message).toContain("Fix: the study's name must match its folder under experiments/");
  });

  test('hypotestRoot follows HYPOTEST_ROOT', () => {
    const saved = process.env.HYPOTEST_ROOT;
    try {
      process.env.HYPOTEST_ROOT = '/some/where/../root';
      expect(hypotestRoot()).toBe('/some/root');
      delete process.env.HYPOTEST_ROOT;
      expect(hypotestRoot()).toBe(process.cwd());
    } finally {
      if (saved === undefined) delete process.env.HYPOTEST_ROOT;
      else process.env.HYPOTEST_ROOT = saved;
    }
  });
});

describe('defineStudy rejects every malformed field with the field, the problem and the fix', () => {
  const cases: [string, (input: any) => void, string][] = [
    ['name with capitals', (s) => (s.name = 'Ablation'), `defineStudy('Ablation'): name: must be lowercase letters, digits and dashes, got "Ablation". Fix: use the folder name under experiments/, e.g. "ablation".`],
    ['name missing', (s) => delete s.name, `defineStudy('?'): name: must be lowercase letters, digits and dashes, got undefined.`],
    ['empty title', (s) => (s.title = '  '), `defineStudy('unit-study'): title: missing or empty. Fix: give the study a title (a string).`],
    ['missing question', (s) => delete s.question, `defineStudy('unit-study'): question: missing or empty. Fix: give the study a question (a string).`],
    ['dataset without a loader', (s) => (s.dataset = { id: 'x' }), `dataset: not a dataset spec. Fix: use a loader such as fashionMnist({ ... }) from harness/data.`],
    ['no seeds', (s) => (s.seeds = []), `seeds: missing or empty. Fix: list the replicate seeds, e.g. seeds: [1, 2, 3].`],
    ['fractional seed', (s) => (s.seeds = [1, 2.5]), `seeds: 2.5 is not a non-negative integer. Fix: use integers such as 1, 2, 3.`],
    ['negative seed', (s) => (s.seeds = [-1, 2]), `seeds: -1 is not a non-negative integer.`],
    ['string seed', (s) => (s.seeds = [1, '2']), `seeds: "2" is not a non-negative integer.`],
    ['duplicate seeds', (s) => (s.seeds = [1, 2, 1]), `seeds: contains duplicates. Fix: list each seed once.`],
    ['no cells', (s) => (s.cells = {}), `cells: missing or empty. Fix: declare at least one cell`],
    ['cell id with capitals', (s) => (s.cells['D2-relu'] = s.cells['d2-relu']), `cells["D2-relu"]: cell ids must be lowercase letters, digits and dashes (they name files). Fix: rename the cell, e.g. "d2-relu-wd0".`],
    ['cell config not an object', (s) => (s.cells['d2-relu'] = [2, 'relu']), `cells["d2-relu"]: config is not an object. Fix: give each cell a plain object of settings.`],
    ['empty factors', (s) => (s.factors = {}), `factors: is empty. Fix: declare at least one factor or leave factors out.`],
    ['factor with one level', (s) => (s.factors.depth = [2]), `factors.depth: needs at least two levels. Fix: list the levels, e.g. depth: [2, 4, 8].`],
    ['factor with duplicate levels', (s) => (s.factors.depth = [2, '2']), `factors.depth: has duplicate levels. Fix: list each level once.`],
    ['level of the wrong type', (s) => (s.cells['d2-relu'].depth = '2'), `cells["d2-relu"].depth: "2" is not a declared level (2, 4). Fix: set depth to one of the declared levels (mind number vs string).`],
    ['undeclared level', (s) => (s.cells['d2-relu'].activation = 'tanh'), `cells["d2-relu"].activation: "tanh" is not a declared level ("relu", "gelu").`],
    ['repeated combination', (s) => (s.cells['d2-relu'] = { depth: 2, activation: 'gelu' }), `cells["d2-gelu"]: repeats the combination depth=2,activation=gelu. Fix: give each combination of levels exactly one cell.`],
    ['incomplete factorial', (s) => delete s.cells['d4-gelu'], `cells: 3 cells for a full factorial of 4. Fix: declare every combination of levels (factorialCells() builds them).`],
    ['unknown primary metric', (s) => (s.metrics.primary = 'f1'), `metrics.primary: must be one of accuracy, macroF1, nll, ece, brier. Fix: set metrics.primary, e.g. "accuracy".`],
    ['unknown secondary metric', (s) => (s.metrics.secondary = ['calibration']), `metrics.secondary: unknown metric "calibration". Fix: use accuracy, macroF1, nll, ece, brier.`],
    ['a fractional ECE bin count', (s) => (s.metrics.eceBins = 7.5), `metrics.eceBins: must be an integer from 1 to 1000, got 7.5. Fix: register the number of equal-width confidence bins of the calibration error, e.g. eceBins: 15, or leave it out for 15.`],
    ['a zero ECE bin count', (s) => (s.metrics.eceBins = 0), `metrics.eceBins: must be an integer from 1 to 1000, got 0.`],
    ['a misspelt ECE bin count', (s) => (s.metrics.eceBin = 10), `metrics.eceBin: is not a field of metrics. Fix: did you mean 'eceBins'?`],
    ['readAt missing', (s) => delete s.metrics.readAt, `metrics.readAt: must be "final-epoch" or "best-validation-epoch". Fix: register when the metric is read.`],
    ['no quick budget', (s) => delete s.budget.quick, `budget.quick: missing. Fix: give a budget for the quick profile, e.g. { epochs: 10 }.`],
    ['zero epochs', (s) => (s.budget.registered.epochs = 0), `budget.registered.epochs: must be a positive integer, got 0. Fix: set epochs: 10 (for example).`],
    ['fractional trainExamples', (s) => (s.budget.quick.trainExamples = 10.5), `budget.quick.trainExamples: must be a positive integer, got 10.5. Fix: use a count of examples or leave it out.`],
    ['zero validationExamples', (s) => (s.budget.registered.validationExamples = 0), `budget.registered.validationExamples: must be a positive integer, got 0.`],
    ['unknown analysis model', (s) => (s.analysis.model = 'anova'), `analysis.model: must be "factorial" or "paired". Fix: choose the analysis model.`],
    ['factorial without factors', (s) => delete s.factors, `analysis.model: "factorial" needs factors. Fix: declare factors or use the "paired" model.`],
    ['confidence 95', (s) => (s.analysis.confidence = 95), `analysis.confidence: must be in (0, 1), got 95. Fix: use 0.95.`],
    ['seedAsBlock not boolean', (s) => (s.analysis.seedAsBlock = 'yes'), `analysis.seedAsBlock: must be true or false. Fix: register whether the seed enters the model as a block.`],
    ['no seedBlockReason', (s) => (s.analysis.seedBlockReason = ''), `analysis.seedBlockReason: missing. Fix: say why the seed is (or is not) a block.`],
    ['block with one seed', (s) => (s.seeds = [1]), `analysis.seedAsBlock: a block needs at least two seeds. Fix: add seeds or set seedAsBlock: false.`],
    ['no families', (s) => (s.analysis.families = {}), `analysis.families: missing. Fix: declare at least one family`],
    ['unknown correction', (s) => (s.analysis.families.confirmatory.correction = 'holm'), `analysis.families.confirmatory.correction: must be "bonferroni" or "benjamini-hochberg". Fix: pick the correction.`],
    ['power of 80', (s) => (s.analysis.power = 80), `analysis.power: must be in (0, 1). Fix: use 0.8.`],
    ['unknown diverged rule', (s) => (s.diverged.rule = 'drop'), `diverged.rule: must be "substitute-chance" or "mark-inconclusive". Fix: register how diverged runs are handled.`],
    ['no diverged reason', (s) => (s.diverged.reason = ' '), `diverged.reason: missing. Fix: say why this rule.`],
    // Issue 11, fault 4: misspelt fields are named errors at run time, not only for tsc.
    ['misspelt top-level field', (s) => { s.anaylsis = s.analysis; }, `defineStudy('unit-study'): anaylsis: is not a field of a study. Fix: did you mean 'analysis'? Known fields: name, title, question,`],
    ['misspelt analysis field', (s) => (s.analysis.confidance = 0.9), `analysis.confidance: is not a field of analysis. Fix: did you mean 'confidence'?`],
    ['misspelt family field', (s) => (s.analysis.families.confirmatory.corection = 'holm'), `analysis.families.confirmatory.corection: is not a field of analysis.families.confirmatory. Fix: did you mean 'correction'?`],
    ['misspelt metrics field', (s) => (s.metrics.readat = 'final-epoch'), `metrics.readat: is not a field of metrics. Fix: did you mean 'readAt'?`],
    ['misspelt pilot field', (s) => (s.pilot = { cells: ['d2-relu'], seed: [9, 10], reason: 'r' }), `pilot.seed: is not a field of pilot. Fix: did you mean 'seeds'?`],
    ['unknown diverged field', (s) => (s.diverged.threshold = 3), `diverged.threshold: is not a field of diverged. Fix: remove it; known fields: rule, reason.`],
    ['unknown budget profile', (s) => (s.budget.pilot = { epochs: 1 }), `budget.pilot: is not a field of budget. Fix: remove it; known fields: registered, quick.`],
  ];

  test.each(cases)('%s', (_name, edit, expected) => {
    expect(messageOf(() => defineStudy(broken(edit)))).toContain(expected);
  });

  test('a paired study may omit factors, and a single seed is fine without a block', () => {
    const study = defineStudy(broken((s) => {
      delete s.factors;
      s.seeds = [7];
      s.analysis.model = 'paired';
      s.analysis.seedAsBlock = false;
    }));
    expect(study.seeds).toEqual([7]);
    expect(study.factors).toBeUndefined();
  });
});

describe('factorialCells', () => {
  test('builds every combination in factor order, named by the callback, with extra settings', () => {
    const cells = factorialCells({ depth: [2, 8], activation: ['relu', 'gelu'], wd: [0, 1e-3] }, (c) => `d${c.depth}-${c.activation}-wd${c.wd}`, { width: 8 });
    expect(Object.keys(cells)).toEqual([
      'd2-relu-wd0', 'd2-relu-wd0.001', 'd2-gelu-wd0', 'd2-gelu-wd0.001',
      'd8-relu-wd0', 'd8-relu-wd0.001', 'd8-gelu-wd0', 'd8-gelu-wd0.001',
    ]);
    expect(cells['d8-gelu-wd0.001']).toEqual({ depth: 8, activation: 'gelu', wd: 1e-3, width: 8 });
  });

  test('for any factor structure: product of level counts, each combination exactly once, accepted by defineStudy (fast-check seed 21)', () => {
    const structure = fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(structure, (counts) => {
        const fs: Record<string, number[]> = {};
        counts.forEach((count, f) => (fs[`f${f}`] = Array.from({ length: count }, (_, l) => l * 10)));
        const cells = factorialCells(fs, (c) => Object.values(c).join('-'));
        const expected = counts.reduce((a, b) => a * b, 1);
        expect(Object.keys(cells)).toHaveLength(expected);
        const combos = new Set(Object.values(cells).map((c) => JSON.stringify(c)));
        expect(combos.size).toBe(expected);
        const study = defineStudy({ ...validInput(), factors: fs, cells, analysis: { ...validInput().analysis } });
        expect(study.cellIds).toHaveLength(expected);
      }),
      { seed: 21, numRuns: 50 },
    );
  });

  test('a naming callback that collides loses cells, which defineStudy then refuses', () => {
    const cells = factorialCells(factors, (c) => `d${c.depth}`);
    expect(Object.keys(cells)).toEqual(['d2', 'd4']);
    expect(messageOf(() => defineStudy({ ...validInput(), cells }))).toContain('cells: 2 cells for a full factorial of 4');
  });
});
