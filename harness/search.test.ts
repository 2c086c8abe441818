import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MissingSearchTrialError, SearchDefinitionError, SearchSelectionError, StudyDefinitionError } from './errors.ts';
import { findStoredRun, recordLookup } from './recordLookup.ts';
import {
  choice, chooseTrial, findStoredTrial, formatSettings, integerUniform, logUniform, readSearchRecords, renderSearchSummary, sampleDistribution,
  sampleTrial, searchedConfiguration, searchSummary, searchTrialSeed, searchTrialsFor, trialConfig, trialRecordPath, uniform,
  type SearchedRunRecord, type SearchPlan,
} from './search.ts';
import { SCHEMA_VERSION, writeRecord, type RunRecord } from './store.ts';
import { defineStudy, type Study, type StudyInput } from './study.ts';
import type { DatasetSpec, Profile } from './types.ts';

/** A dataset spec that never loads: defineStudy only checks its shape. */
const dataset: DatasetSpec = {
  id: 'fake', description: 'a fake dataset for unit tests', params: { size: 1 }, hasShift: false,
  load: async () => {
    throw new Error('the fake dataset is never loaded in unit tests');
  },
};

function validSearch(): SearchPlan {
  return {
    trials: 4,
    seeds: [901, 902, 903, 904],
    secondsPerTrial: 60,
    calibration: {
      machine: '2-core AMD Zen 4, Node 20, fast-cpu', date: '2026-11-29', command: 'npx hypotest calibrate unit-search (slowest corner of each space)',
      epochs: 3, rounds: 40, secondsPerTrial: { mlp: 20, vit: 58, xgb: 31 },
    },
    arms: {
      mlp: { family: 'network', space: { learningRate: logUniform(1e-4, 1e-2), width: choice([64, 128, 256]) } },
      vit: { family: 'network', space: { learningRate: logUniform(1e-4, 3e-3), weightDecay: uniform(0, 0.1) } },
      xgb: { family: 'trees', space: { maxDepth: integerUniform(3, 8), learningRate: logUniform(0.05, 0.5), subsample: uniform(0.5, 1) } },
    },
  };
}

/** A valid three-arm study with a search; each test breaks one field. */
function validInput(): StudyInput {
  return {
    name: 'unit-search', title: 'Unit search', question: 'Which family wins at equal budget?', dataset,
    cells: {
      mlp: { depth: 2, activation: 'relu', width: 128, learningRate: 1e-3 },
      vit: { width: 32, depth: 1, heads: 2, mlpWidth: 64, patchSize: 7, learningRate: 1e-3, batchSize: 64, weightDecay: 0 },
      xgb: { maxDepth: 6, learningRate: 0.3, subsample: 0.8, colsampleBytree: 0.8, minChildWeight: 1, regLambda: 1, maxBin: 64, threads: 1 },
    },
    seeds: [1, 2, 3],
    metrics: { primary: 'accuracy', readAt: 'final-epoch' },
    budget: { registered: { epochs: 3, rounds: 40 }, quick: { epochs: 1, rounds: 5, trainExamples: 100 } },
    analysis: { model: 'paired', confidence: 0.95, seedAsBlock: false, seedBlockReason: 'arms are paired by seed', families: { confirmatory: { correction: 'bonferroni', confirmatory: true } } },
    diverged: { rule: 'substitute-chance', reason: 'penalise divergence' },
    search: validSearch(),
  };
}

function broken(edit: (input: any) => void): StudyInput {
  const input: any = { ...validInput(), dataset };
  for (const key of ['cells', 'metrics', 'budget', 'analysis', 'diverged', 'search'] as const) input[key] = structuredClone(input[key]);
  input.seeds = [...input.seeds];
  edit(input);
  return input;
}

function searchErrorOf(input: StudyInput): string {
  try {
    defineStudy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(SearchDefinitionError);
    expect(error).toBeInstanceOf(StudyDefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected a SearchDefinitionError');
}

describe('a study declares a search', () => {
  test('a valid search is kept on the study', () => {
    const study = defineStudy(validInput());
    expect(study.search?.trials).toBe(4);
    expect(searchTrialsFor(study, 'registered')).toBe(4);
    expect(searchTrialsFor(study, 'quick')).toBe(2);
    expect(searchTrialsFor(study, 'pilot')).toBe(0);
    expect(searchTrialsFor(defineStudy(broken((i) => { i.search.quickTrials = 3; })), 'quick')).toBe(3);
    expect(searchTrialsFor(defineStudy(broken((i) => { delete i.search; })), 'registered')).toBe(0);
  });

  test('search seeds that are also final seeds are refused', () => {
    expect(searchErrorOf(broken((i) => { i.search.seeds[2] = 2; }))).toContain('search.seeds: seed 2 is also a final seed of the study');
  });

  test.each<[string, (input: any) => void, string]>([
    ['an unknown field', (i) => { i.search.trails = 3; }, "search.trails: is not a field of search. Fix: did you mean 'trials'?"],
    ['a study field misspelt', (i) => { i.serach = i.search; delete i.search; }, "did you mean 'search'?"],
    ['non-integer trials', (i) => { i.search.trials = 2.5; }, 'search.trials: must be a positive integer'],
    ['seeds of another length', (i) => { i.search.seeds.pop(); }, 'search.seeds: has 3 seeds for 4 trials'],
    ['duplicate seeds', (i) => { i.search.seeds[1] = 901; }, 'search.seeds: contains duplicates'],
    ['quickTrials above trials', (i) => { i.search.quickTrials = 5; }, 'search.quickTrials: must be an integer from 1 to trials (4)'],
    ['an arm missing', (i) => { delete i.search.arms.vit; }, "search.arms: has no search for arm 'vit'"],
    ['an arm that is no cell', (i) => { i.search.arms.mpl = i.search.arms.mlp; }, `search.arms["mpl"]: is not a cell of the study. Fix: did you mean 'mlp'?`],
    ['an unknown family', (i) => { i.search.arms.xgb.family = 'forest'; }, 'search.arms["xgb"].family: must be \'network\''],
    ['an empty space', (i) => { i.search.arms.mlp.space = {}; }, 'search.arms["mlp"].space: is missing or empty'],
    ['a setting without a registered default', (i) => { i.search.arms.mlp.space.learningrate = logUniform(1e-4, 1e-2); }, `search.arms["mlp"].space.learningrate: cells["mlp"] registers no default learningrate`],
    ['a searched budget', (i) => { i.search.arms.mlp.space.epochs = integerUniform(1, 5); }, 'search.arms["mlp"].space.epochs: epochs is the shared budget'],
    ['an arm that sets its own rounds', (i) => { i.cells.xgb.rounds = 500; }, 'cells["xgb"].rounds: a searched arm may not set rounds'],
    ['an arm that sets its own epochs', (i) => { i.cells.vit.epochs = 30; }, 'cells["vit"].epochs: a searched arm may not set epochs'],
    ['trees without rounds in the quick budget', (i) => { delete i.budget.quick.rounds; }, 'budget.quick.rounds: must be a positive integer: arm \'xgb\' is searched as trees'],
    ['an unknown distribution', (i) => { i.search.arms.mlp.space.width = { kind: 'normal', mean: 1 }; }, 'search.arms["mlp"].space.width.kind: must be one of log-uniform, uniform, integer-uniform, choice'],
    ['a distribution field misspelt', (i) => { i.search.arms.mlp.space.learningRate = { kind: 'log-uniform', low: 1e-4, hihg: 1e-2 }; }, 'space.learningRate.hihg: is not a field of a log-uniform distribution'],
    ['a log-uniform from zero', (i) => { i.search.arms.mlp.space.learningRate = logUniform(0, 1e-2); }, 'a log-uniform needs low > 0'],
    ['low above high', (i) => { i.search.arms.vit.space.weightDecay = uniform(0.1, 0); }, 'low (0.1) must be below high (0)'],
    ['a non-finite bound', (i) => { i.search.arms.vit.space.weightDecay = uniform(0, Infinity); }, 'low and high must be finite numbers'],
    ['integer bounds that are not integers', (i) => { i.search.arms.xgb.space.maxDepth = integerUniform(2.5, 8); }, 'an integer-uniform needs integer bounds'],
    ['a choice of one', (i) => { i.search.arms.mlp.space.width = choice([128]); }, 'space.width.values: needs at least two values'],
    ['a choice of another type than the default', (i) => { i.search.arms.mlp.space.width = choice(['64', '128']); }, `"64" is a string but the arm's default is 128 (a number)`],
    ['a choice with duplicates', (i) => { i.search.arms.mlp.space.width = choice([64, 64]); }, 'space.width.values: has duplicates'],
    ['a numeric distribution over a string default', (i) => { i.search.arms.mlp.space.activation = uniform(0, 1); }, `samples numbers but the arm's default is "relu"`],
    ['no calibration', (i) => { delete i.search.calibration; }, 'search.calibration: is missing'],
    ['a calibration without machine', (i) => { i.search.calibration.machine = ' '; }, 'search.calibration.machine: missing or empty'],
    ['a calibration date that is no date', (i) => { i.search.calibration.date = 'yesterday'; }, 'search.calibration.date: must be an ISO date'],
    ['a calibration of other epochs', (i) => { i.budget.registered.epochs = 5; }, 'search.calibration.epochs: is 3 but the registered budget trains 5 epochs. Fix: calibrate again'],
    ['a calibration of other rounds', (i) => { i.search.calibration.rounds = 80; }, 'search.calibration.rounds: is 80 but the registered budget trains 40 rounds'],
    ['an arm not calibrated', (i) => { delete i.search.calibration.secondsPerTrial.vit; }, 'search.calibration.secondsPerTrial["vit"]: is missing'],
    ['a trial over the budget', (i) => { i.search.calibration.secondsPerTrial.vit = 75; }, `search.calibration.secondsPerTrial["vit"]: 75 s per trial exceeds secondsPerTrial (60 s). Fix: lower the budget's epochs`],
    ['trees over the budget', (i) => { i.search.calibration.secondsPerTrial.xgb = 61; }, "lower the budget's rounds"],
    ['no seconds per trial', (i) => { i.search.secondsPerTrial = 0; }, 'search.secondsPerTrial: must be a positive number of seconds'],
  ])('%s is a named error', (_label, edit, expected) => {
    const input = broken(edit);
    let message: string;
    try {
      defineStudy(input);
      throw new Error('defineStudy accepted it');
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(StudyDefinitionError);
      message = (error as Error).message;
    }
    expect(message).toContain(expected);
    expect(message).toContain('Fix:');
  });

  test('any space: defineStudy either refuses it with a SearchDefinitionError or accepts it, and then every trial samples inside it', () => {
    const bound = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(0, 1, 1e-4, Infinity, Number.NaN), fc.integer({ min: -3, max: 9 }));
    const wellFormed = fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })).map(([a, b]) => ({ low: Math.min(a, b), high: Math.max(a, b) + 1 }));
    const distribution = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom('log-uniform', 'uniform', 'integer-uniform'), wellFormed).map(([kind, range]) => ({ kind, ...range })) },
      { weight: 2, arbitrary: fc.constantFrom(choice(['relu', 'gelu']), choice([64, 128])) },
      fc.record({ kind: fc.constantFrom('log-uniform', 'uniform', 'integer-uniform'), low: bound, high: bound }),
      fc.record({ kind: fc.constant('choice'), values: fc.array(fc.oneof(fc.integer({ min: 1, max: 512 }), fc.constantFrom('a', 'b'), fc.boolean()), { maxLength: 4 }) }),
      fc.record({ kind: fc.constantFrom('normal', 'constructor', 'toString'), low: bound }),
      fc.constantFrom(null, 3, 'logUniform', [] as unknown),
    );
    const seen = { accepted: 0, refused: 0 };
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('learningRate', 'width', 'activation', 'depth', 'learningRate', 'width', 'epochs', 'momentum'), distribution, { minKeys: 0, maxKeys: 3 }), (space) => {
      let study: Study;
      try {
        study = defineStudy(broken((i) => { i.search.arms.mlp.space = space; }));
      } catch (error) {
        seen.refused++;
        return error instanceof SearchDefinitionError && /Fix: /.test((error as Error).message);
      }
      seen.accepted++;
      for (const trial of [1, 2, 3, 4]) {
        const sampled = sampleTrial(study, 'mlp', trial);
        for (const [setting, value] of Object.entries(sampled)) {
          const d = space[setting] as { kind: string; low: number; high: number; values: unknown[] };
          if (d.kind === 'choice' ? !d.values.includes(value) : !(typeof value === 'number' && value >= d.low && value <= d.high)) return false;
          if (d.kind === 'integer-uniform' && !Number.isInteger(value)) return false;
          if (typeof value !== typeof (study.cells.mlp as Record<string, unknown>)[setting]) return false;
        }
      }
      return true;
    }), { seed: 13, numRuns: 400 });
    // Both branches were exercised (guards the property itself).
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  test('a factor cannot be searched', () => {
    const input: StudyInput = {
      ...validInput(),
      factors: { depth: [1, 2] },
      cells: { d1: { depth: 1, learningRate: 1e-3 }, d2: { depth: 2, learningRate: 1e-3 } },
      search: {
        ...validSearch(),
        calibration: { ...validSearch().calibration, rounds: undefined, secondsPerTrial: { d1: 5, d2: 5 } },
        arms: { d1: { family: 'network', space: { depth: integerUniform(1, 3) } }, d2: { family: 'network', space: { learningRate: logUniform(1e-4, 1e-2) } } },
      },
    };
    delete (input.search!.calibration as { rounds?: number }).rounds;
    expect(searchErrorOf(input)).toContain('search.arms["d1"].space.depth: depth is a factor of the design');
  });
});

describe('the seeded sampler', () => {
  const study = defineStudy(validInput());

  test('each distribution maps u in [0, 1) into its support', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
      const lr = sampleDistribution(logUniform(1e-4, 1e-2), u) as number;
      const wd = sampleDistribution(uniform(0, 0.1), u) as number;
      const depth = sampleDistribution(integerUniform(3, 8), u) as number;
      const width = sampleDistribution(choice([64, 128, 256]), u);
      return lr >= 1e-4 && lr <= 1e-2 && wd >= 0 && wd < 0.1 && Number.isInteger(depth) && depth >= 3 && depth <= 8 && [64, 128, 256].includes(width as number);
    }), { seed: 13, numRuns: 500 });
    expect(sampleDistribution(logUniform(1e-4, 1e-2), 0.5)).toBeCloseTo(1e-3, 12);
    expect(sampleDistribution(integerUniform(3, 8), 0.999999)).toBe(8);
    expect(sampleDistribution(integerUniform(3, 8), 0)).toBe(3);
  });

  test('trial k of arm a gets the same configuration whatever the order of sampling, and every value lies in its space', () => {
    const cells = ['mlp', 'vit', 'xgb'];
    const inOrder = cells.flatMap((arm) => [1, 2, 3, 4].map((trial) => [`${arm}/${trial}`, sampleTrial(study, arm, trial)] as const));
    fc.assert(fc.property(fc.shuffledSubarray(inOrder.map(([id]) => id), { minLength: inOrder.length }), (order) => {
      const again = new Map(order.map((id) => {
        const [arm, trial] = id.split('/');
        return [id, sampleTrial(study, arm, Number(trial))] as const;
      }));
      return inOrder.every(([id, config]) => JSON.stringify(again.get(id)) === JSON.stringify(config));
    }), { seed: 13, numRuns: 50 });
    for (const [id, config] of inOrder) {
      const arm = id.split('/')[0];
      expect(Object.keys(config)).toEqual(Object.keys(study.search!.arms[arm].space).sort());
    }
    const lr = inOrder.filter(([id]) => id.startsWith('mlp/')).map(([, c]) => c.learningRate as number);
    expect(lr.every((v) => v >= 1e-4 && v <= 1e-2)).toBe(true);
    expect(new Set(lr).size).toBe(4);
  });

  test('the configuration depends on the arm, the trial seed and the parameter, and not on other parameters of the space', () => {
    const widened = defineStudy(broken((i) => { i.search.arms.mlp.space.l2 = uniform(0, 1e-3); i.cells.mlp.l2 = 0; }));
    for (const trial of [1, 2, 3, 4]) {
      const { l2, ...rest } = sampleTrial(widened, 'mlp', trial);
      expect(typeof l2).toBe('number');
      expect(rest).toEqual(sampleTrial(study, 'mlp', trial));
    }
    // Same space under two arm names: different streams.
    expect(sampleTrial(study, 'mlp', 1).learningRate).not.toBe(sampleTrial(study, 'vit', 1).learningRate);
    // Reseeding the trial changes its configuration.
    const reseeded = defineStudy(broken((i) => { i.search.seeds[0] = 1901; }));
    expect(sampleTrial(reseeded, 'mlp', 1)).not.toEqual(sampleTrial(study, 'mlp', 1));
    expect(sampleTrial(reseeded, 'mlp', 2)).toEqual(sampleTrial(study, 'mlp', 2));
  });

  test('the sampled settings override the registered defaults; trial seeds come from the search', () => {
    const config = trialConfig(study, 'xgb', 2);
    expect(config).toMatchObject({ colsampleBytree: 0.8, threads: 1, ...sampleTrial(study, 'xgb', 2) });
    expect(searchTrialSeed(study, 3)).toBe(903);
    expect(() => searchTrialSeed(study, 5)).toThrow(MissingSearchTrialError);
    expect(() => searchTrialSeed(study, 0)).toThrow(MissingSearchTrialError);
  });

  test('pinned values: the sampler is the same on every machine (seedrandom streams keyed by arm, seed and parameter)', () => {
    // If this changes, every registered search would draw other configurations: never change the streams.
    expect(formatSettings(sampleTrial(study, 'mlp', 1))).toBe(PINNED_MLP_TRIAL_1);
  });
});

// Computed outside the sampler, from seedrandom directly:
// node -e "const sr=require('seedrandom'); const u1=sr('search/mlp/901/learningRate')(), u2=sr('search/mlp/901/width')();
//   console.log(u1, u2, Math.exp(Math.log(1e-4)+u1*(Math.log(1e-2)-Math.log(1e-4))), [64,128,256][Math.floor(u2*3)])"
// → 0.7610592703527054 0.48624813616551416 0.00332750365132417 128
const PINNED_MLP_TRIAL_1 = 'learningRate=0.003328, width=128';

describe('the choice', () => {
  const ok = (trial: number, accuracy: number) => ({ trial, seed: 900 + trial, sampled: { x: trial }, key: `k${trial}`, record: { status: 'ok', metrics: { validation: { accuracy } } } as unknown as RunRecord });
  const diverged = (trial: number) => ({ trial, seed: 900 + trial, sampled: { x: trial }, key: `k${trial}`, record: { status: 'diverged', metrics: {} } as unknown as RunRecord });

  test('the best validation accuracy wins; ties go to the earlier trial, whatever the order given', () => {
    const trials = [ok(1, 80), ok(2, 85), ok(3, 85), ok(4, 70)];
    expect(chooseTrial(trials)).toMatchObject({ kind: 'chosen', trial: 2, seed: 902, validationAccuracy: 85, trials: 4, trialKeys: ['k1', 'k2', 'k3', 'k4'] });
    fc.assert(fc.property(fc.shuffledSubarray(trials, { minLength: 4 }), (order) => chooseTrial(order).trial === 2), { seed: 13 });
  });

  test('diverged trials are never chosen; all diverged is a named error', () => {
    expect(chooseTrial([diverged(1), ok(2, 10)]).trial).toBe(2);
    expect(() => chooseTrial([diverged(1), diverged(2)])).toThrow(SearchSelectionError);
  });
});

describe('trial records in the store', () => {
  let root: string;
  let study: Study;
  beforeEach(() => {
    root = mkdtempSync(join(os.tmpdir(), 'hypotest-search-'));
    const dir = join(root, 'experiments', 'unit-search', 'cells');
    mkdirSync(dir, { recursive: true });
    for (const cell of ['mlp', 'vit', 'xgb']) writeFileSync(join(dir, `${cell}.exp.ts`), `// ${cell}\n`);
    study = defineStudy(validInput());
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function storeTrial(cell: string, trial: number, profile: Profile, accuracy: number | null, lockHash: string | null = null): SearchedRunRecord {
    const found = findStoredTrial(root, { study, cell, trial, profile, lockHash });
    const record: SearchedRunRecord = {
      schemaVersion: SCHEMA_VERSION, key: found.key, study: study.name, cell, seed: found.seed, profile, lockHash, cellFiles: found.cellFiles, lockOrder: null,
      config: found.config as Record<string, unknown>, budget: study.budget.quick, status: accuracy === null ? 'diverged' : 'ok',
      metrics: accuracy === null ? {} : { validation: { accuracy, nll: 0.5 } as never }, predictions: {}, numClasses: 10, modelFingerprint: null, curve: [],
      timings: { startedAt: '', finishedAt: '', trainSeconds: 12, evaluateSeconds: 0 },
      environment: { node: '', platform: '', cpu: '', cores: 2, backend: 'test', harnessVersion: '0', gitCommit: null, gitDirty: null },
      search: { kind: 'trial', trial, seed: found.seed, sampled: found.sampled },
    };
    writeRecord(found.path, record);
    return record;
  }

  test('a final run without its trials fails with a named error; the lookup of the hypotheses sees it as missing', () => {
    expect(() => searchedConfiguration(root, { study, cell: 'mlp', profile: 'quick', lockHash: null })).toThrow(MissingSearchTrialError);
    storeTrial('mlp', 1, 'quick', 80);
    expect(() => findStoredRun(root, { study, cell: 'mlp', seed: 1, profile: 'quick', lockHash: null })).toThrow(/search trial 2 of 2 is not stored/);
    expect(recordLookup(root, study, 'quick', null)('mlp', 1)).toBeNull();
  });

  test('the chosen configuration is read from the stored trials and keys the final runs', () => {
    storeTrial('mlp', 1, 'quick', 80);
    storeTrial('mlp', 2, 'quick', 84);
    const { config, choice: chosen } = searchedConfiguration(root, { study, cell: 'mlp', profile: 'quick', lockHash: null });
    expect(chosen).toMatchObject({ trial: 2, seed: 902, validationAccuracy: 84, trials: 2 });
    expect(config).toEqual(trialConfig(study, 'mlp', 2));
    const final = findStoredRun(root, { study, cell: 'mlp', seed: 1, profile: 'quick', lockHash: null });
    expect(final.key).toBe(findStoredRun(root, { study, cell: 'mlp', seed: 1, profile: 'quick', lockHash: null, config }).key);
    expect(final.key).not.toBe(findStoredRun(root, { study, cell: 'mlp', seed: 1, profile: 'quick', lockHash: null, config: study.cells.mlp }).key);
    // The pilot trains the registered defaults: no search, the plain key.
    expect(searchedConfiguration(root, { study, cell: 'mlp', profile: 'pilot', lockHash: null })).toEqual({ config: study.cells.mlp, choice: null });
  });

  test('trial keys differ from final keys and change with the lock hash, the trial and the profile', () => {
    const quick = findStoredTrial(root, { study, cell: 'mlp', trial: 1, profile: 'quick', lockHash: null });
    const registered = findStoredTrial(root, { study, cell: 'mlp', trial: 1, profile: 'registered', lockHash: 'a'.repeat(64) });
    const relocked = findStoredTrial(root, { study, cell: 'mlp', trial: 1, profile: 'registered', lockHash: 'b'.repeat(64) });
    const second = findStoredTrial(root, { study, cell: 'mlp', trial: 2, profile: 'quick', lockHash: null });
    const asFinal = findStoredRun(root, { study, cell: 'mlp', seed: quick.seed, profile: 'quick', lockHash: null, config: quick.config });
    expect(new Set([quick.key, registered.key, relocked.key, second.key, asFinal.key]).size).toBe(5);
    expect(quick.path).toBe(trialRecordPath(root, 'unit-search', 'quick', 'mlp', 1));
    expect(quick.path).toContain(join('results', '.quick', 'unit-search', 'mlp', 'search', 'trial-1.json'));
    expect(registered.path).toBe(join(root, 'results', 'unit-search', 'mlp', 'search', 'trial-1.json'));
  });

  test('a stored trial is found again (reused); one of another lock is not', () => {
    const record = storeTrial('vit', 1, 'registered', 75, 'a'.repeat(64));
    expect(findStoredTrial(root, { study, cell: 'vit', trial: 1, profile: 'registered', lockHash: 'a'.repeat(64) }).record).toMatchObject(record);
    expect(findStoredTrial(root, { study, cell: 'vit', trial: 1, profile: 'registered', lockHash: 'c'.repeat(64) }).record).toBeNull();
  });

  test('searchSummary lists every arm\'s trials and the chosen config; the same trial count per arm', () => {
    storeTrial('mlp', 1, 'quick', 80);
    storeTrial('mlp', 2, 'quick', 84);
    storeTrial('vit', 1, 'quick', null);
    storeTrial('vit', 2, 'quick', 77.5);
    storeTrial('xgb', 1, 'quick', 81);
    const summary = searchSummary(study, readSearchRecords(root, study, 'quick', null), { profile: 'quick' });
    expect(summary.trials).toBe(2);
    expect(summary.arms.map((a) => a.trials.length)).toEqual([2, 2, 2]);
    expect(summary.budget).toMatchObject({ epochs: 1, rounds: 5, secondsPerTrial: 60 });
    const [mlp, vit, xgb] = summary.arms;
    expect(mlp.chosen).toMatchObject({ trial: 2, validationAccuracy: 84, config: trialConfig(study, 'mlp', 2) });
    expect(vit.trials.map((t) => t.status)).toEqual(['diverged', 'ok']);
    expect(vit.chosen?.trial).toBe(2);
    expect(xgb.chosen).toBeNull();
    expect(xgb.problem).toBe('trial 2 missing');
    const text = renderSearchSummary(summary).join('\n');
    expect(text).toContain("search of 'unit-search' (quick profile): 2 trials per arm, 1 epochs (networks), 5 rounds (trees), at most 60 s per trial");
    expect(text).toContain(`mlp (network): chose trial 2 (${formatSettings(sampleTrial(study, 'mlp', 2))}; validation 84.00%)`);
    expect(text).toContain('xgb (trees): nothing chosen: trial 2 missing');
  });

  test('trials over the registered seconds per trial are flagged', () => {
    const slow = defineStudy(broken((i) => { i.search.secondsPerTrial = 40; i.search.calibration.secondsPerTrial = { mlp: 20, vit: 39, xgb: 31 }; }));
    study = slow;
    storeTrial('mlp', 1, 'registered', 80, 'a'.repeat(64)); // trainSeconds 12
    const summary = searchSummary(slow, readSearchRecords(root, slow, 'registered', 'a'.repeat(64)), { profile: 'registered' });
    expect(summary.arms[0].trials[0]).toMatchObject({ status: 'ok', trainSeconds: 12, overBudget: false });
    const tight = defineStudy(broken((i) => { i.search.secondsPerTrial = 10; i.search.calibration.secondsPerTrial = { mlp: 9, vit: 9, xgb: 9 }; }));
    const record = readSearchRecords(root, slow, 'registered', 'a'.repeat(64));
    expect(searchSummary(tight, record, { profile: 'registered' }).arms[0].trials[0].overBudget).toBe(true);
  });
});
