/**
 * The committed write-up of each real study must be exactly what its stored run records give: this test
 * reruns the hypotheses (real Vitest, no training: they read results/<study>/) into a temporary reports
 * folder and compares the files with the committed ones.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO, runVitest } from '../../fixtures/projects/run.ts';

const studies = readdirSync(join(REPO, 'experiments')).filter((name) => existsSync(join(REPO, 'experiments', name, 'prereg.lock.json')) && existsSync(join(REPO, 'reports', name, 'verdicts.json')));

describe('committed write-ups are regenerated from the records', () => {
  test('at least the ablation study has a committed registered report', () => {
    expect(studies).toContain('ablation');
  });

  for (const study of studies) {
    test(`${study}: README.md and verdicts.json match a fresh analysis of results/${study}/`, { timeout: 180_000 }, () => {
      const out = mkdtempSync(join(tmpdir(), 'hypotest-writeup-'));
      const run = runVitest(REPO, ['--project', 'hypotheses', `experiments/${study}/`], { HYPOTEST_REPORTS_DIR: out });
      expect(run.status, run.output).toBe(0);
      // A study whose paper is not committed yet (architectures: it does not fit its 4 pages) has no documents to compare.
      const documents = existsSync(join(REPO, 'reports', study, 'paper.pdf'));
      for (const name of ['verdicts.json', 'README.md', 'verdicts.md', ...(documents ? ['slides-script.md'] : []), 'runs.csv', 'verdicts.csv']) {
        expect(readFileSync(join(out, study, name), 'utf8'), `${name} differs from reports/${study}/${name}`).toBe(readFileSync(join(REPO, 'reports', study, name), 'utf8'));
      }
      // The documents too, byte for byte: their dates come from the records, not the clock.
      if (!documents) return;
      for (const name of ['paper.pdf', 'slides.pdf', ...readdirSync(join(REPO, 'reports', study, 'figures')).map((f) => `figures/${f}`)]) {
        expect(readFileSync(join(out, study, name)).equals(readFileSync(join(REPO, 'reports', study, name))), `${name} differs from reports/${study}/${name}`).toBe(true);
      }
    });
  }
});
