import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudyDefinitionError } from './errors.ts';

/** The designs `hypotest new` can write: a full factorial ablation, or a benchmark of arms compared pairwise. */
export type ScaffoldDesign = 'factorial' | 'arms';
export const SCAFFOLD_DESIGNS: readonly ScaffoldDesign[] = ['factorial', 'arms'];

/** What {@link scaffoldStudy} wrote, relative to the project root. */
export interface ScaffoldResult {
  study: string;
  design: ScaffoldDesign;
  files: string[];
}

/** Study and cell ids: lowercase letters, digits and dashes, starting with a letter or digit (they name folders and files). */
const NAME = /^[a-z0-9][a-z0-9-]*$/;

const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));
const REPORTER = join(HARNESS_DIR, '..', 'reporters', 'verdicts.ts');

/** A relative import specifier from the folder `fromDir` to `target` (always starting with `.`, always with `/`). */
function importPath(fromDir: string, target: string): string {
  const path = relative(fromDir, target).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

const VITEST_CONFIGS = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs', 'vite.config.ts', 'vite.config.mts', 'vite.config.js', 'vite.config.mjs'];

/**
 * Writes a working, commented study skeleton under `<root>/experiments/<study>/`: `study.ts`, one
 * `cells/<cell>.exp.ts` per cell (or arm) and `hypotheses.exp.ts`. It runs at once in the quick profile
 * (`HYPOTEST_PROFILE=quick npx vitest run experiments/<study>`) on Fashion-MNIST with `trainMlp`, and type-checks.
 * When the root has no Vitest config, a `vitest.config.ts` with the hypotest projects and reporter is written too.
 *
 * - `factorial`: a 2 x 2 full factorial (depth 1/2 x ReLU/GELU), analysed as contrasts of cell means.
 * - `arms`: two arms (a small and a larger MLP) compared seed by seed (`analysis.model: 'paired'`).
 *
 * @throws {StudyDefinitionError} when the name is not lowercase letters, digits and dashes, the design is unknown,
 *   or `experiments/<study>` already exists (nothing is overwritten).
 * @example
 * scaffoldStudy(process.cwd(), 'my-ablation', 'factorial').files
 * // ['experiments/my-ablation/study.ts', 'experiments/my-ablation/cells/d1-relu.exp.ts', ..., 'experiments/my-ablation/hypotheses.exp.ts']
 */
export function scaffoldStudy(root: string, study: string, design: ScaffoldDesign): ScaffoldResult {
  if (typeof study !== 'string' || !NAME.test(study)) {
    throw new StudyDefinitionError(`hypotest new: the study name ${JSON.stringify(study)} is not lowercase letters, digits and dashes. Fix: use a name like "my-ablation" (it names the folder experiments/<study>).`);
  }
  if (!SCAFFOLD_DESIGNS.includes(design)) {
    throw new StudyDefinitionError(`hypotest new: unknown design ${JSON.stringify(design)}. Fix: use --design factorial (a full factorial ablation) or --design arms (a benchmark of arms compared seed by seed).`);
  }
  const studyDir = join(root, 'experiments', study);
  if (existsSync(studyDir)) {
    throw new StudyDefinitionError(`hypotest new: ${studyDir} already exists; nothing was written. Fix: choose another name, or remove the folder first.`);
  }
  const harness = (fromDir: string) => importPath(fromDir, join(HARNESS_DIR, 'index.ts'));
  const template = design === 'factorial' ? factorialTemplate(study) : armsTemplate(study);
  const files: Record<string, string> = {
    'study.ts': template.study(harness(studyDir)),
    ...Object.fromEntries(template.cells.map(({ id, body }) => [`cells/${id}.exp.ts`, body(harness(join(studyDir, 'cells')))])),
    'hypotheses.exp.ts': template.hypotheses(harness(studyDir)),
  };
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(studyDir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
    written.push(relative(root, path).split(sep).join('/'));
  }
  if (!VITEST_CONFIGS.some((name) => existsSync(join(root, name)))) {
    writeFileSync(join(root, 'vitest.config.ts'), vitestConfig(root), { flag: 'wx' });
    written.push('vitest.config.ts');
  }
  return { study, design, files: written };
}

/** The lines `hypotest new` prints after writing a skeleton: what was written and what to do next. */
export function scaffoldSummary(result: ScaffoldResult): string[] {
  return [
    `wrote ${result.design === 'arms' ? 'an arms' : 'a factorial'} study '${result.study}':`,
    ...result.files.map((file) => `  ${file}`),
    'Next:',
    `  1. HYPOTEST_PROFILE=quick npx vitest run experiments/${result.study}   # runs now: small budget, validation only, verdicts labelled quick`,
    `  2. edit the TODOs: title, question, cells, budgets, hypotheses (claims, SESOIs and why)`,
    `  3. npx hypotest lock ${result.study}   # then commit the lock on its own, before the registered run`,
    `  4. npx vitest run experiments/${result.study}   # the registered run: sealed test split, verdicts`,
  ];
}

function vitestConfig(root: string): string {
  return `import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { hypotestProjects } from '${importPath(root, join(HARNESS_DIR, 'config.ts'))}';

// Written by \`hypotest new\`: the two projects every hypotest root needs (cells first, then hypotheses)
// and the verdict reporter (terminal table, reports/<study>/verdicts.json and .md).
export default defineConfig({
  test: {
    reporters: ['default', fileURLToPath(new URL('${importPath(root, REPORTER)}', import.meta.url))],
    projects: hypotestProjects({ root: fileURLToPath(new URL('.', import.meta.url)) }),
  },
});
`;
}

interface Template {
  study(harness: string): string;
  cells: { id: string; body(harness: string): string }[];
  hypotheses(harness: string): string;
}

const DATA_AND_BUDGET = `  // The data. Fashion-MNIST from the Debian package dataset-fashion-mnist (or FASHION_MNIST_DIR): a stratified,
  // seeded train/validation split of the 60,000 training images; the 10,000 test images stay sealed (the harness
  // evaluates frozen models on them, only while the lock holds). Add \`shift: { ... }\` for a sealed shift split.
  dataset: fashionMnist({ validationSize: 10_000, splitSeed: 2026, preprocessing: 'scale' }),`;

const SEEDS_METRICS_BUDGET = `  // Every cell runs exactly these seeds; a seed fixes initialisation and data order (the same order in every cell).
  seeds: [1, 2, 3],
  // Accuracy is in percent, so effects and SESOIs are in percentage points (pp).
  metrics: { primary: 'accuracy', secondary: ['nll'], readAt: 'final-epoch' },
  budget: {
    // TODO: the budget you will register. trainMlp reads epochs here; width, batchSize and learningRate too,
    // unless a cell sets them.
    registered: { epochs: 10, batchSize: 128, learningRate: 1e-3, width: 256 },
    // A smoke test of the whole pipeline in seconds: a stratified subset, validation only, never used for verdicts.
    quick: { epochs: 1, batchSize: 128, learningRate: 1e-3, width: 32, trainExamples: 2_000, validationExamples: 1_000 },
  },`;

const DIVERGED = `  // How a run whose loss becomes NaN or infinite enters the analysis, decided now rather than after the results.
  diverged: { rule: 'substitute-chance', reason: 'TODO: why. A diverged run counts at chance level, so divergence is penalised, never dropped.' },`;

function factorialTemplate(study: string): Template {
  const cells = [
    { depth: 1, activation: 'relu' },
    { depth: 1, activation: 'gelu' },
    { depth: 2, activation: 'relu' },
    { depth: 2, activation: 'gelu' },
  ].map((c) => `d${c.depth}-${c.activation}`);
  return {
    study: (harness) => `/**
 * Pre-registration of the '${study}' study: a full factorial ablation (written by \`npx hypotest new ${study} --design factorial\`).
 * Everything a reader needs to judge the results belongs here: data, factors, cells, seeds, metric, budgets,
 * analysis and the diverged-run rule. The hypotheses are in hypotheses.exp.ts; one file per cell in cells/.
 * Edit the TODOs, try it with \`HYPOTEST_PROFILE=quick npx vitest run experiments/${study}\`, then lock it.
 */
import { defineStudy, factorialCells, fashionMnist, type MlpCellConfig } from '${harness}';

// The factors and their levels. \`as const\` keeps the levels literal ('relu' stays 'relu', not string),
// which trainMlp's config type (MlpCellConfig) and the contrasts in hypotheses.exp.ts rely on.
export const factors = {
  depth: [1, 2],
  activation: ['relu', 'gelu'],
} as const;

export default defineStudy<MlpCellConfig>({
  name: '${study}', // must equal the folder name under experiments/
  title: 'TODO: a title for the report',
  question: 'TODO: the question the study answers, in one or two sentences (here: do depth and activation change accuracy?)',
${DATA_AND_BUDGET}
  factors,
  // One cell per combination of levels (a full factorial). The id names the cell's file, cells/<id>.exp.ts:
  // lowercase letters, digits and dashes. trainMlp needs depth and activation in every cell.
  cells: factorialCells(factors, (c) => \`d\${c.depth}-\${c.activation}\`),
${SEEDS_METRICS_BUDGET}
  analysis: {
    // Contrasts of cell means with the pooled residual variance of the full factorial model.
    model: 'factorial',
    confidence: 0.95,
    seedAsBlock: true,
    seedBlockReason: 'the seed fixes the data order identically in every cell, so runs that share a seed share its effect: the seed is an additive block',
    families: {
      confirmatory: { correction: 'bonferroni', confirmatory: true, description: 'the registered claims' },
      exploratory: { correction: 'benjamini-hochberg', confirmatory: false, description: 'descriptive contrasts, labelled exploratory' },
    },
    power: 0.8,
  },
${DIVERGED}
});
`,
    cells: cells.map((id) => ({
      id,
      body: (harness) => `// One cell of the '${study}' study: one Vitest test per registered seed. trainMlp reads depth and activation
// from this cell's config in study.ts and the rest from the profile's budget.
import { cell, trainMlp } from '${harness}';
import study from '../study.ts';

cell(study, '${id}', { train: trainMlp });
`,
    })),
    hypotheses: (harness) => `/**
 * The registered hypotheses of the '${study}' study: claims about effects, each with a direction, a smallest
 * effect size of interest (SESOI, in the metric's unit: accuracy in percentage points) and a family.
 * Each comes out supported, refuted or inconclusive from its interval (Bonferroni-adjusted in the confirmatory family).
 */
import { contrast, hypothesis } from '${harness}';
import study from './study.ts';

hypothesis(study, {
  id: 'H1',
  claim: 'TODO: GELU beats ReLU by more than 0.5 pp, averaged over depth',
  effect: contrast({ activation: { gelu: 1, relu: -1 } }, 'GELU − ReLU'), // a main-effect contrast
  direction: 'greater', // or 'less', or 'equivalent' for "no practical difference"
  sesoi: 0.5,
  sesoiReason: 'TODO: why half a point is the smallest difference that would change a decision',
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'H2',
  claim: 'TODO: depth 2 and depth 1 are equivalent within ±0.5 pp, averaged over the activation',
  effect: contrast({ depth: { 2: 1, 1: -1 } }, 'depth 2 − depth 1'),
  direction: 'equivalent',
  sesoi: 0.5,
  sesoiReason: 'TODO: why ±0.5 pp counts as no practical difference',
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'E1',
  claim: "TODO: GELU's advantage is larger at depth 2 than at depth 1",
  effect: contrast({ activation: { gelu: 1, relu: -1 }, depth: { 2: 1, 1: -1 } }, '(GELU − ReLU at depth 2) − (GELU − ReLU at depth 1)'), // an interaction
  direction: 'greater',
  sesoi: 0.5,
  sesoiReason: 'TODO: an interaction smaller than the main effect of interest would not change a recommendation',
  family: 'exploratory',
});
`,
  };
}

function armsTemplate(study: string): Template {
  return {
    study: (harness) => `/**
 * Pre-registration of the '${study}' study: a benchmark of arms compared seed by seed (written by
 * \`npx hypotest new ${study} --design arms\`). Everything a reader needs to judge the results belongs here: data,
 * arms, seeds, metric, budgets, analysis and the diverged-run rule. The hypotheses are in hypotheses.exp.ts; one
 * file per arm in cells/. Edit the TODOs, try it with \`HYPOTEST_PROFILE=quick npx vitest run experiments/${study}\`, then lock it.
 */
import { defineStudy, fashionMnist, type MlpCellConfig } from '${harness}';

export default defineStudy<MlpCellConfig>({
  name: '${study}', // must equal the folder name under experiments/
  title: 'TODO: a title for the report',
  question: 'TODO: the question the study answers (here: does a deeper, wider MLP beat a small one?)',
${DATA_AND_BUDGET}
  // No factors: each arm is one configuration, with its own file cells/<id>.exp.ts. Arm ids are lowercase
  // letters, digits and dashes. The type argument MlpCellConfig keeps 'relu' a literal without \`as const\`;
  // arms with models of your own take a config type of your own (see the README's custom-model example).
  cells: {
    'mlp-small': { depth: 1, activation: 'relu', width: 32 },
    'mlp-large': { depth: 2, activation: 'relu', width: 128 },
  },
${SEEDS_METRICS_BUDGET}
  analysis: {
    // Seed-matched paired differences between arms (paired t over seeds).
    model: 'paired',
    confidence: 0.95,
    seedAsBlock: false,
    seedBlockReason: 'the paired analysis already matches runs by seed (the seed fixes the data order in both arms)',
    families: {
      confirmatory: { correction: 'bonferroni', confirmatory: true, description: 'the registered claims' },
      exploratory: { correction: 'benjamini-hochberg', confirmatory: false, description: 'descriptive comparisons, labelled exploratory' },
    },
    power: 0.8,
  },
${DIVERGED}
});
`,
    cells: ['mlp-small', 'mlp-large'].map((id) => ({
      id,
      body: (harness) => `// One arm of the '${study}' study: one Vitest test per registered seed. A train function gets ctx.data.train and
// ctx.data.validation (never the test split) and returns { status: 'ok', model } whose predict() gives class
// probabilities; trainMlp does that for an MLP configured by this arm's config in study.ts.
import { cell, trainMlp } from '${harness}';
import study from '../study.ts';

cell(study, '${id}', { train: trainMlp });
`,
    })),
    hypotheses: (harness) => `/**
 * The registered hypotheses of the '${study}' study: claims about effects, each with a direction, a smallest
 * effect size of interest (SESOI, in the metric's unit: accuracy in percentage points) and a family.
 */
import { hypothesis, pairedDifference, topTwoOnValidation } from '${harness}';
import study from './study.ts';

hypothesis(study, {
  id: 'H1',
  claim: 'TODO: the large MLP beats the small one by more than 0.5 pp',
  effect: pairedDifference('mlp-large', 'mlp-small'), // a minus b, seed by seed
  direction: 'greater', // or 'less', or 'equivalent' for "no practical difference"
  sesoi: 0.5,
  sesoiReason: 'TODO: why half a point is the smallest difference that would change a decision',
  family: 'confirmatory',
});

hypothesis(study, {
  id: 'E1',
  claim: 'TODO: the best arm beats the second best by more than 0.5 pp (both chosen on validation accuracy)',
  effect: topTwoOnValidation(), // the arms are chosen on validation, compared on test; the report names them
  direction: 'greater',
  sesoi: 0.5,
  sesoiReason: 'TODO: why half a point',
  family: 'exploratory',
});
`,
  };
}
