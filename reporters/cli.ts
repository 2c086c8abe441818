/**
 * The `hypotest` command line as users run it (`bin/hypotest.mjs`): the harness's commands, plus what the reporters
 * add to them. `npx hypotest lock <study>` also writes `experiments/<study>/prereg.pdf`, the registration as a
 * document; `npx hypotest prereg <study>` renders it again for a study that is already locked.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadStudy, main, type CliHooks } from '../harness/cli.ts';
import { HypotestError, StudyDefinitionError } from '../harness/errors.ts';
import { collectHypotheses } from '../harness/hypothesis.ts';
import { assertLockHolds, readLockStatus, type PreregLock } from '../harness/lock.ts';
import { hypotestRoot, METRICS, type Study } from '../harness/study.ts';
import { designOf } from '../harness/verdictAnnotation.ts';
import { readNarrative, readStudyRuns, writeStudyDocuments } from './paper/build.ts';
import { preregPdf, type PreregInput } from './paper/prereg.ts';
import type { SensitivityFile, VerdictsFile } from './render/verdictTable.ts';

let imports = 0;

/** The file name of the registration document, beside the lock. */
export const PREREG_PDF = 'prereg.pdf';

/**
 * Renders a locked study's registration (study.ts, hypotheses.exp.ts, the pilot's sensitivity when there is one,
 * the lock) to `experiments/<study>/prereg.pdf`, dated at the lock; returns its path.
 */
export async function writePreregDocument(root: string, study: Study, studyDir: string, lock: PreregLock): Promise<string> {
  // A fresh module instance each time (a second import of the same URL would not run the file again).
  const specs = await collectHypotheses(() => import(`${pathToFileURL(join(studyDir, 'hypotheses.exp.ts')).href}?prereg=${++imports}`));
  if (specs.length === 0) throw new StudyDefinitionError(`${join(studyDir, 'hypotheses.exp.ts')} registered no hypothesis. Fix: declare them with hypothesis(study, { ... }).`);
  const sensitivityPath = join(root, 'reports', study.name, 'pilot', 'sensitivity.json');
  const input: PreregInput = {
    study: { name: study.name, title: study.title, question: study.question },
    design: designOf(study, 'registered'),
    hypotheses: specs.map((h) => {
      const metric = h.metric ?? study.metrics.primary;
      const split = h.effect.kind === 'shift-drop' ? 'test and shift (test minus shift)' : h.split;
      return { id: h.id, claim: h.claim, effect: h.effect.label, metric, unit: METRICS[metric].unit, ...(split ? { split } : {}), direction: h.direction, sesoi: h.sesoi, sesoiReason: h.sesoiReason, family: h.family };
    }),
    sensitivity: existsSync(sensitivityPath) ? (JSON.parse(readFileSync(sensitivityPath, 'utf8')) as SensitivityFile) : null,
    lock: { hash: lock.hash, lockedAt: lock.lockedAt, gitCommit: lock.gitCommit },
    studyFolder: `experiments/${study.name}/`,
  };
  const path = join(studyDir, PREREG_PDF);
  writeFileSync(`${path}.tmp-${process.pid}`, preregPdf(input));
  renameSync(`${path}.tmp-${process.pid}`, path);
  return path;
}

/** After a lock: write prereg.pdf and say so (a failure to render is reported, never undoes the lock). */
export const reporterHooks: CliHooks = {
  async onLocked({ root, study, studyDir, lock }) {
    try {
      const path = await writePreregDocument(root, study, studyDir, lock);
      return [`wrote ${relative(root, path)}: the registration as a document; commit it with the lock.`];
    } catch (error) {
      return [`${PREREG_PDF} not written (${(error as Error).name}: ${(error as Error).message}); the lock stands. Render it later with \`npx hypotest prereg ${study.name}\`.`];
    }
  },
};

/**
 * Builds a study's documents again from its stored verdicts and records (`npx hypotest report <study> [--quick]`):
 * `reports/<study>/verdicts.json` (quick: `reports/<study>/quick/`, or under `HYPOTEST_REPORTS_DIR`) and the run records
 * and search trials in `results/`, without running anything. A registered report needs the lock to hold, as every path
 * that writes a registered result does. A paired (arms) study gets the NeurIPS-style paper, a factorial one the
 * ablation's layout. Returns the report folder and the problems (PDFs not built).
 *
 * @throws {HypotestError} (named, with the fix) when the verdicts are missing or the lock does not hold.
 */
export async function writeReport(root: string, name: string, profile: 'registered' | 'quick'): Promise<{ dir: string; problems: string[] }> {
  const reports = process.env.HYPOTEST_REPORTS_DIR ? resolve(process.env.HYPOTEST_REPORTS_DIR) : join(root, 'reports');
  const dir = profile === 'quick' ? join(reports, name, 'quick') : join(reports, name);
  const path = join(dir, 'verdicts.json');
  if (!existsSync(path)) throw new StudyDefinitionError(`hypotest report: ${relative(root, path)} does not exist. Fix: run the study's hypotheses first (${profile === 'quick' ? 'HYPOTEST_PROFILE=quick ' : ''}npx vitest run experiments/${name}); they write it.`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as VerdictsFile;
  if (file.profile === 'registered') assertLockHolds(join(root, 'experiments', name), name, { cells: file.design.cells });
  const problems = await writeStudyDocuments(dir, { file, runs: readStudyRuns(root, file), narrative: readNarrative(root, name), studyFolder: `experiments/${name}/` });
  return { dir, problems };
}

/** Runs the command line with the reporters' additions; returns the exit status. */
export async function cli(args: string[], root = hypotestRoot(), out: (line: string) => void = (line) => { process.stdout.write(line + '\n'); }): Promise<number> {
  if (args[0] === 'prereg' && args[1]) {
    const name = args[1];
    try {
      const studyDir = join(root, 'experiments', name);
      const status = readLockStatus(studyDir, name);
      const path = await writePreregDocument(root, await loadStudy(root, name), studyDir, status.lock);
      out(`wrote ${relative(root, path)} for '${name}' (lock ${status.lock.hash.slice(0, 12)}).`);
      return 0;
    } catch (error) {
      if (!(error instanceof HypotestError)) throw error;
      out(`${error.name}: ${error.message}`);
      return 1;
    }
  }
  if (args[0] === 'report' && args[1]) {
    const name = args[1];
    try {
      const { dir, problems } = await writeReport(root, name, args.includes('--quick') ? 'quick' : 'registered');
      out(`wrote the documents of '${name}' to ${relative(root, dir) || '.'}: paper.pdf, slides.pdf, slides-script.md, figures/, runs.csv, verdicts.csv.`);
      for (const problem of problems) out(`hypotest: ${problem}`);
      return problems.some((p) => /\.pdf not built/.test(p)) ? 1 : 0;
    } catch (error) {
      if (!(error instanceof HypotestError)) throw error;
      out(`${error.name}: ${error.message}`);
      return 1;
    }
  }
  const code = await main(args, root, out, reporterHooks);
  if (code === 2) {
    out('  npx hypotest prereg <study>    render experiments/<study>/prereg.pdf again for a locked study');
    out('  npx hypotest report <study> [--quick]');
    out('                                 build the study\'s documents again from reports/<study>/verdicts.json and its records');
    out('                                 (arms studies: the NeurIPS-style paper; factorial studies: the ablation\'s layout)');
  }
  return code;
}

if (process.env.HYPOTEST_REPORTER_CLI === '1' || import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
