import { join, resolve } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { RunnerTaskResultPack as TaskResultPack } from 'vitest';
import { verdictLine } from '../harness/verdictLine.ts';
import { writeFileAtomic } from '../harness/atomicFile.ts';
import type { PilotMeta, RunSummary, VerdictMeta } from '../harness/meta.ts';
import { readNarrative, readStudyRuns, writeStudyDocuments } from './paper/build.ts';
import { renderWriteup } from './render/writeup.ts';
import {
  buildSensitivityFiles, buildVerdictFiles, renderMarkdown, renderRunSummary, renderSensitivityMarkdown, renderSensitivityTable, renderTerminalTable,
} from './render/verdictTable.ts';

/**
 * Prints the verdict table at the end of a run and writes `reports/<study>/verdicts.json`, `verdicts.md`,
 * the plain write-up `README.md` and the documents (`paper.pdf`, `slides.pdf`, `slides-script.md`,
 * `figures/*.svg`, `runs.csv`, `verdicts.csv`; see reporters/paper/build.ts) (quick profile:
 * `reports/<study>/quick/`, labelled as validation-only; `HYPOTEST_REPORTS_DIR` moves the reports folder).
 * Renders task meta and the stored run records; it never recomputes statistics.
 */
export default class VerdictReporter implements Reporter {
  private root = process.cwd();
  private vitest?: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.root = vitest.config.root;
  }

  /** The terminal's width and whether it shows colour (a TTY, unless NO_COLOR; FORCE_COLOR decides when set). */
  private terminal(): { width: number; colour: boolean } {
    const stream = (this.vitest?.logger.outputStream ?? process.stdout) as NodeJS.WriteStream;
    const forced = process.env.FORCE_COLOR;
    const colour = process.env.NO_COLOR === undefined && (forced !== undefined ? forced !== '0' && forced !== 'false' : Boolean(stream.isTTY));
    return { width: Math.max(80, stream.columns ?? 150), colour };
  }

  /**
   * A refuted or inconclusive hypothesis is skipped (a result, not a failure), and Vitest UI shows "The test has
   * passed without any errors" for any test without errors. Giving the skipped verdict's result its verdict line
   * as the one entry of `errors` makes the UI show the verdict there instead; the state stays `skip`, so the exit
   * status and every count are unchanged.
   */
  onTaskUpdate(packs: TaskResultPack[]): void {
    for (const [, result, meta] of packs) {
      const verdict = meta?.hypotest?.result;
      if (!verdict || !result || result.state !== 'skip' || result.errors?.length) continue;
      result.errors = [{ name: `${verdict.id} ${verdict.verdict.toUpperCase()}`, message: verdictLine(verdict), stack: '' }];
    }
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const metas: VerdictMeta[] = [];
    const pilots: PilotMeta[] = [];
    const runs: RunSummary[] = [];
    for (const module of testModules) {
      for (const testCase of module.children.allTests()) {
        const meta = testCase.meta();
        if (meta.hypotest) metas.push(meta.hypotest);
        if (meta.hypotestRun) runs.push(meta.hypotestRun);
        if (meta.hypotestPilot) pilots.push(meta.hypotestPilot);
      }
    }
    const log = (text: string) => (this.vitest ? this.vitest.logger.log(text) : console.log(text));
    if (runs.length > 0) log('\n' + renderRunSummary(runs));
    const reports = process.env.HYPOTEST_REPORTS_DIR ? resolve(process.env.HYPOTEST_REPORTS_DIR) : join(this.root, 'reports');
    for (const file of buildSensitivityFiles(pilots)) {
      const dir = join(reports, file.study.name, 'pilot');
      writeFileAtomic(join(dir, 'sensitivity.json'), JSON.stringify(file, null, 2) + '\n');
      writeFileAtomic(join(dir, 'sensitivity.md'), renderSensitivityMarkdown(file));
      log('\n' + renderSensitivityTable(file) + `\n(written to ${join(dir, 'sensitivity.json')} and sensitivity.md)\n`);
    }
    if (metas.length === 0) return;
    for (const file of buildVerdictFiles(metas)) {
      if ('partial' in file) {
        log(`\nhypotest: ${file.study}: partial run (${file.ran.join(', ')} of ${file.registered.join(', ')}): ${file.hypotheses.map((h) => `${h.id} ${h.verdict}`).join(', ')}. Reports not rewritten; run every hypothesis to update them.\n`);
        continue;
      }
      const dir = file.profile === 'quick' ? join(reports, file.study.name, 'quick') : join(reports, file.study.name);
      writeFileAtomic(join(dir, 'verdicts.json'), JSON.stringify(file, null, 2) + '\n');
      writeFileAtomic(join(dir, 'verdicts.md'), renderMarkdown(file));
      writeFileAtomic(join(dir, 'README.md'), renderWriteup(file));
      log('\n' + renderTerminalTable(file, this.terminal()) + `\n(written to ${join(dir, 'verdicts.json')} and verdicts.md)`);
      try {
        const problems = await writeStudyDocuments(dir, { file, runs: readStudyRuns(this.root, file), narrative: readNarrative(this.root, file.study.name), studyFolder: `experiments/${file.study.name}/` });
        log(`(documents: paper.pdf, slides.pdf, slides-script.md, figures/, runs.csv, verdicts.csv in ${dir})${problems.map((p) => `\nhypotest: ${p}`).join('')}\n`);
      } catch (error) {
        // A narrative that names an unknown reference (or any other failure) must be seen, not swallowed.
        log(`\nhypotest: documents for ${file.study.name} not written: ${(error as Error).name}: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  }
}
