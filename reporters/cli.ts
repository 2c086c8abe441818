/**
 * The `hypotest` command line as users run it (`bin/hypotest.mjs`): the harness's commands, plus what the reporters
 * add to them. `npx hypotest lock <study>` also writes `experiments/<study>/prereg.pdf`, the registration as a
 * document; `npx hypotest prereg <study>` renders it again for a study that is already locked.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadStudy, main, type CliHooks } from '../harness/cli.ts';
import { HypotestError, StudyDefinitionError } from '../harness/errors.ts';
import { collectHypotheses } from '../harness/hypothesis.ts';
import { readLockStatus, type PreregLock } from '../harness/lock.ts';
import { hypotestRoot, METRICS, type Study } from '../harness/study.ts';
import { designOf } from '../harness/verdictAnnotation.ts';
import { preregPdf, type PreregInput } from './paper/prereg.ts';
import type { SensitivityFile } from './render/verdictTable.ts';

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
      return { id: h.id, claim: h.claim, effect: h.effect.label, metric, unit: METRICS[metric].unit, direction: h.direction, sesoi: h.sesoi, sesoiReason: h.sesoiReason, family: h.family };
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
  const code = await main(args, root, out, reporterHooks);
  if (code === 2) out('  npx hypotest prereg <study>    render experiments/<study>/prereg.pdf again for a locked study');
  return code;
}

if (process.env.HYPOTEST_REPORTER_CLI === '1' || import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
