import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HypotestError, StudyDefinitionError } from './errors.ts';
import { assertStudyExists, readLockStatus, recordAnalysisDeviation, recordDeviation, verdictRules, writeLock, type PreregLock } from './lock.ts';
import { lockOrder } from './lockOrder.ts';
import { mergeShards, renderMergeReport } from './mergeShards.ts';
import { recordRerun } from './integrity.ts';
import { verifyStore } from './verifyStore.ts';
import { currentProfile } from './profile.ts';
import { loadDatasetOnce } from './seal.ts';
import { scaffoldStudy, scaffoldSummary, type ScaffoldDesign } from './scaffold.ts';
import { diffPreregistration, renderPreregDiff } from './preregDiff.ts';
import { hypotestRoot, type Study } from './study.ts';

const USAGE = `usage:
  npx hypotest new <study> --design factorial|arms
                                 write a commented study skeleton in experiments/<study> that runs at once in the quick profile
  npx hypotest lock <study>      hash the pre-registration files and dataset into experiments/<study>/prereg.lock.json
  npx hypotest verify <study>    check the files against the lock (exit 1 on a change without a deviation, a declared cell
                                 without its file, or a lock file that git shows uncommitted or modified), then the store:
                                 records (checksums, lock hashes, keys), the audit log against the records, and the lock's
                                 commit before the first committed result
  npx hypotest diff <study>      what changed in the pre-registration since the lock, as a reviewer reads it
                                 (hypothesis H1: SESOI 0.5 -> 0.3; seeds added; a cell's code changed), each with its deviation
  npx hypotest deviate <study> --file <path in the study folder> --what "..." --why "..."
                                 record a change made after the lock in experiments/<study>/deviations.json
  npx hypotest deviate <study> --analysis [--verdict-rule <1|2>] --what "..." --why "..."
                                 record a change of the analysis (by default: adopt this harness's verdict rule)
  npx hypotest merge <study> <shard-dir>... [--profile registered|quick|pilot]
                                 gather the records of shards run with \`vitest run --project cells --shard=i/n --reporter=blob\`
                                 into this root's store (checks lock hashes and run keys, refuses conflicts; then judge once)
  npx hypotest rerun <study> --cell <cell> --seed <n> --why "..."
                                 record an explicit rerun of a registered run (e.g. its record was corrupt): the next run
                                 trains it again and reopens its sealed splits, logged in results/<study>/reruns.jsonl`;

/** The path of `experiments/<name>/study.ts`; throws {@link UnknownStudyError} (listing the studies) when there is none. */
function studyFile(root: string, name: string): string {
  assertStudyExists(join(root, 'experiments', name), name);
  return join(root, 'experiments', name, 'study.ts');
}

/** Imports `experiments/<name>/study.ts` and returns its default export. */
export async function loadStudy(root: string, name: string): Promise<Study> {
  const path = studyFile(root, name);
  const module = await import(pathToFileURL(path).href);
  const study = module.default as Study | undefined;
  if (!study || typeof study.levelsOf !== 'function') throw new StudyDefinitionError(`${path} has no default export made by defineStudy(). Fix: export default defineStudy({ ... }).`);
  if (study.name !== name) throw new StudyDefinitionError(`${path} declares name '${study.name}', but its folder is '${name}'. Fix: make them the same.`);
  return study;
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** What the layers above the harness add to a command (the reporters write prereg.pdf after a lock); the harness imports none of them. */
export interface CliHooks {
  /** Called after `lock` wrote the lock file; returns lines to print. */
  onLocked?(context: { root: string; study: Study; studyDir: string; lock: PreregLock }): Promise<string[]>;
}

/** Runs the command line; returns the exit status. */
export async function main(args: string[], root = hypotestRoot(), out: (line: string) => void = (line) => { process.stdout.write(line + '\n'); }, hooks: CliHooks = {}): Promise<number> {
  const [command, name] = args;
  if (!command || !name || !['new', 'lock', 'verify', 'diff', 'deviate', 'merge', 'rerun'].includes(command)) {
    out(USAGE);
    return command === 'help' || command === '--help' ? 0 : 2;
  }
  const studyDir = join(root, 'experiments', name);
  try {
    if (command === 'new') {
      const design = option(args, 'design');
      if (!design) {
        out(USAGE);
        return 2;
      }
      for (const line of scaffoldSummary(scaffoldStudy(root, name, design as ScaffoldDesign))) out(line);
      return 0;
    }
    if (command === 'merge') {
      const profile = option(args, 'profile') ?? currentProfile();
      if (profile !== 'registered' && profile !== 'quick' && profile !== 'pilot') {
        out(USAGE);
        return 2;
      }
      const shards = args.slice(2).filter((arg, index, all) => arg !== '--profile' && all[index - 1] !== '--profile');
      const report = mergeShards({ root, study: await loadStudy(root, name), shards, profile });
      for (const line of renderMergeReport(report)) out(line);
      return 0;
    }
    if (command === 'rerun') {
      const cell = option(args, 'cell');
      const seed = Number(option(args, 'seed'));
      const why = option(args, 'why');
      if (!cell || !Number.isInteger(seed) || !why) {
        out(USAGE);
        return 2;
      }
      const study = await loadStudy(root, name);
      const { entry, movedAside } = recordRerun(root, study, cell, seed, why);
      if (movedAside) out(`moved the record to ${relative(root, movedAside)} (kept, never deleted).`);
      out(`recorded the rerun of ${name} ${cell} seed ${seed} in ${join('results', name, 'reruns.jsonl')}${entry.replaces.length ? ` (replacing ${entry.replaces.join(', ')})` : ''}.`);
      out('The next `npx vitest run experiments` trains it again and opens its sealed splits again; the repeat opening is counted in the audit log and shown in the reports. Commit the rerun log with the new record.');
      return 0;
    }
    if (command === 'diff') {
      for (const line of renderPreregDiff(await diffPreregistration(root, name))) out(line);
      return 0;
    }
    if (command === 'lock') {
      const study = await loadStudy(root, name);
      const splits = await loadDatasetOnce(study.dataset);
      const lock = writeLock(studyDir, name, { id: study.dataset.id, fingerprint: splits.fingerprint });
      out(`locked '${name}': ${Object.keys(lock.files).length} files, hash ${lock.hash.slice(0, 12)}, dataset ${lock.dataset.fingerprint.slice(0, 12)}.`);
      out(`Commit the lock on its own now (git add ${join('experiments', name, 'prereg.lock.json')} && git commit), before any registered run opens the sealed splits.`);
      if (lock.gitDirty) out('warning: the work tree had uncommitted changes; commit the pre-registration files before (or with) the lock.');
      for (const line of (await hooks.onLocked?.({ root, study, studyDir, lock })) ?? []) out(line);
      return 0;
    }
    if (command === 'verify') {
      readLockStatus(studyDir, name); // an unknown, unlocked or corrupt study fails before its code is imported
      const study = await loadStudy(root, name);
      const check = readLockStatus(studyDir, name, { cells: study.cellIds });
      for (const change of check.changes) {
        out(`${change.deviation ? 'deviation' : 'CHANGED WITHOUT DEVIATION'}: ${change.file} (${change.kind})${change.deviation ? ` — ${change.deviation.what}` : ''}`);
      }
      for (const cell of check.missingCells ?? []) out(`CELL WITHOUT FILE: '${cell}' is declared in study.ts but cells/${cell}.exp.ts does not exist`);
      if (!check.ok) {
        out(`'${name}' does not match its lock. Fix: undo the change, or record it with \`npx hypotest deviate ${name} --file <file> --what "..." --why "..."\`.`);
        return 1;
      }
      for (const deviation of check.analysisDeviations) out(`analysis deviation: ${deviation.what}${deviation.verdictRule !== null ? ` (verdict rule ${deviation.verdictRule})` : ''}`);
      const rules = verdictRules(check);
      if (rules.adopted !== rules.registered) out(`verdicts by rule ${rules.adopted} (adopted by an analysis deviation; the lock registered rule ${rules.registered}, whose verdicts are shown beside where they differ).`);
      out(`'${name}' matches its lock ${check.lock.hash.slice(0, 12)} (${check.changes.length} recorded deviation${check.changes.length === 1 ? '' : 's'}).`);
      const order = lockOrder(studyDir, name); // throws UncommittedLockError: registered runs would refuse to open sealed splits
      out(order.state === 'verified'
        ? `lock committed in ${order.commit.slice(0, 10)} and unmodified: registered runs may open the sealed splits.`
        : `order unverifiable (${order.reason}): registered runs open the sealed splits and say so in their records and reports.`);
      const store = verifyStore(root, study, check.lock);
      for (const line of store.checked) out(`checked ${line}`);
      for (const line of store.notes) out(`note: ${line}`);
      for (const line of store.problems) out(`STORE PROBLEM: ${line}`);
      if (store.problems.length > 0) {
        out(`'${name}': the store has ${store.problems.length} problem${store.problems.length === 1 ? '' : 's'} (above, each with its fix).`);
        return 1;
      }
      out(`'${name}': the store verifies.`);
      return 0;
    }
    const what = option(args, 'what');
    const why = option(args, 'why');
    if (args.includes('--analysis')) {
      const rule = option(args, 'verdict-rule');
      if (!what || !why || (rule !== undefined && rule !== '1' && rule !== '2')) {
        out(USAGE);
        return 2;
      }
      studyFile(root, name);
      const deviation = recordAnalysisDeviation(studyDir, { what, why, ...(rule ? { verdictRule: Number(rule) as 1 | 2 } : {}) });
      out(`recorded analysis deviation${deviation.verdictRule !== null ? ` (verdict rule ${deviation.verdictRule})` : ''} in ${join('experiments', name, 'deviations.json')}. Commit it.`);
      return 0;
    }
    const file = option(args, 'file');
    if (!file || !what || !why) {
      out(USAGE);
      return 2;
    }
    studyFile(root, name); // a misspelt study must not get a folder of its own
    const deviation = recordDeviation(studyDir, { file, what, why });
    out(`recorded deviation for ${deviation.file} (${deviation.sha256.slice(0, 12)}) in ${join('experiments', name, 'deviations.json')}. Commit it with the change.`);
    return 0;
  } catch (error) {
    if (error instanceof HypotestError) {
      out(`${error.name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.env.HYPOTEST_CLI === '1') {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
