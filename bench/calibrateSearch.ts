/**
 * Calibrates a study's shared search budget on this machine: trains one search trial of each arm with the registered
 * budget (E epochs for networks, R rounds for trees, the budget's train and validation subsets) and prints the seconds
 * each took (training plus the validation predictions, as a trial runs in `cell()`), with a `calibration` block to paste
 * into the study's `search`. Time the slowest configuration of each space: pass it with `--config arm=<json>`.
 *
 * Validation data only; nothing is stored. Heavy: run it under the shared lock on a busy machine.
 *
 *   npx tsx bench/calibrateSearch.ts fixtures/projects/architectures-draft/experiments/architectures-draft/study.ts \
 *     --train mlp=trainMlp,vit=trainVit,xgboost=trainXgboost \
 *     --config 'mlp={"width":512}' --config 'xgboost={"maxDepth":8,"subsample":0.9,"colsampleBytree":0.9}'
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { trainMlp, trainVit, trainXgboost, type Study, type TrainContext, type TrainOutcome } from '../harness/index.ts';
import { experimentView, predictSplit } from '../harness/seal.ts';
import { subsampleSplit } from '../harness/subsample.ts';
import { machineDescription } from '../harness/util.ts';

const BUILT_IN: Record<string, (ctx: TrainContext<any>) => Promise<TrainOutcome>> = { trainMlp, trainVit, trainXgboost };

function argumentsOf(argv: string[]): { studyPath: string; train: Record<string, string>; config: Record<string, Record<string, unknown>> } {
  const [studyPath, ...rest] = argv;
  if (!studyPath) throw new Error('usage: npx tsx bench/calibrateSearch.ts <study.ts> --train arm=trainMlp,... [--config arm=<json>]...');
  const train: Record<string, string> = {};
  const config: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (flag === '--train') {
      for (const pair of value.split(',')) {
        const [arm, fn] = pair.split('=');
        if (!BUILT_IN[fn]) throw new Error(`--train ${pair}: ${fn} is not one of ${Object.keys(BUILT_IN).join(', ')}`);
        train[arm] = fn;
      }
    } else if (flag === '--config') {
      const at = value.indexOf('=');
      config[value.slice(0, at)] = JSON.parse(value.slice(at + 1));
    } else {
      throw new Error(`unknown flag ${flag}`);
    }
  }
  return { studyPath, train, config };
}

async function main(): Promise<void> {
  const { studyPath, train, config } = argumentsOf(process.argv.slice(2));
  const study = (await import(pathToFileURL(resolve(studyPath)).href)).default as Study;
  if (!study.search) throw new Error(`study '${study.name}' declares no search`);
  const budget = study.budget.registered;
  const { train: trainAll, validation: validationAll } = await study.dataset.load();
  const trainSplit = budget.trainExamples ? subsampleSplit(trainAll, budget.trainExamples, `${study.name}/train`) : trainAll;
  const validationSplit = budget.validationExamples ? subsampleSplit(validationAll, budget.validationExamples, `${study.name}/validation`) : validationAll;
  const seconds: Record<string, number> = {};
  let backend = 'unknown';
  for (const arm of study.cellIds) {
    const fn = train[arm];
    if (!fn) throw new Error(`no --train for arm '${arm}' (arms: ${study.cellIds.join(', ')})`);
    const ctx: TrainContext = Object.freeze({
      study: study.name, cell: arm, seed: study.search.seeds[0], profile: 'registered' as const,
      config: { ...study.cells[arm], ...(config[arm] ?? {}) }, budget,
      data: experimentView(trainSplit, validationSplit),
      onEpoch() {},
      recordEnvironment(info: Record<string, unknown>) {
        if (arm !== 'xgboost' && typeof info.backend === 'string') backend = info.backend;
      },
    });
    const started = performance.now();
    const outcome = await BUILT_IN[fn](ctx);
    if (outcome.status === 'ok') {
      await predictSplit(outcome.model, validationSplit);
      outcome.model.dispose?.();
    }
    seconds[arm] = Number(((performance.now() - started) / 1000).toFixed(1));
    console.log(JSON.stringify({ arm, train: fn, config: ctx.config, status: outcome.status, seconds: seconds[arm] }));
  }
  const machine = machineDescription();
  const trees = Object.values(study.search.arms).some((arm) => arm.family === 'trees');
  const calibration = {
    machine: `${machine.cores}-core ${machine.cpu}, Node ${machine.node}, ${backend} backend`,
    date: new Date().toISOString().slice(0, 10),
    command: `npx tsx bench/calibrateSearch.ts ${process.argv.slice(2).join(' ')}`,
    epochs: budget.epochs,
    ...(trees ? { rounds: budget.rounds } : {}),
    secondsPerTrial: seconds,
  };
  console.log(JSON.stringify({ secondsPerTrialLimit: study.search.secondsPerTrial, calibration }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
