import { join, resolve } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { writeFileAtomic } from '../harness/atomicFile.ts';
import type { PilotMeta, RunSummary, VerdictMeta } from '../harness/meta.ts';
import { renderWriteup } from './render/writeup.ts';
import {
  buildSensitivityFiles, buildVerdictFiles, renderMarkdown, renderRunSummary, renderSensitivityMarkdown, renderSensitivityTable, renderTerminalTable,
} from './render/verdictTable.ts';

/**
 * Prints the verdict table at the end of a run and writes `reports/<study>/verdicts.json`, `verdicts.md`
 * and the plain write-up `README.md` (quick profile: `reports/<study>/quick/`, labelled as validation-only;
 * `HYPOTEST_REPORTS_DIR` moves the reports folder). Renders task meta only;
 * it never recomputes statistics.
 */
export default class VerdictReporter implements Reporter {
  private root = process.cwd();
  private vitest?: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
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
      log('\n' + renderTerminalTable(file) + `\n(written to ${join(dir, 'verdicts.json')} and verdicts.md)\n`);
    }
  }
}
