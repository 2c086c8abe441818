/**
 * A quick-profile write-up describes the run as it was: the budget's subsample, never the registered split sizes,
 * and nothing generated in it mentions the sealed test split (the claims are the researcher's words and are cut out).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO } from '../../fixtures/projects/run.ts';
import { reportFigures } from '../paper/figures.ts';
import { slidesScript } from '../paper/slides.ts';
import { cellSettings, dataAsRun, settingsAsRun, sharedSettings } from './designAsRun.ts';
import { QUICK_LABEL, renderMarkdown, renderTerminalTable, type VerdictsFile } from './verdictTable.ts';
import { renderWriteup } from './writeup.ts';

const registered: VerdictsFile = JSON.parse(readFileSync(join(REPO, 'reports', 'ablation', 'verdicts.json'), 'utf8'));
const configs = Object.fromEntries(registered.design.cells.map((cell) => {
  const levels = registered.summary!.cells.find((c) => c.cell === cell)!.levels;
  return [cell, { ...levels, width: 256, init: 'torch' }];
}));
const quick: VerdictsFile = {
  ...registered, profile: 'quick', label: QUICK_LABEL,
  design: { ...registered.design, configs, budget: { epochs: 1, batchSize: 128, learningRate: 0.001, width: 256, trainExamples: 3000, validationExamples: 2000 } },
  summary: { ...registered.summary!, split: 'validation', cells: registered.summary!.cells.map((c) => ({ ...c, metrics: { 'validation.accuracy': c.metrics['validation.accuracy'] } })) },
  hypotheses: registered.hypotheses.map((h) => ({ ...h, profile: 'quick', split: 'validation' })),
};

describe('the design as run', () => {
  test('quick: the subsample the budget used, not the registered sizes; no sealed split named', () => {
    expect(dataAsRun(quick)).toBe('fashion-mnist: 3,000 training examples (a fixed subsample of the training split) and 2,000 validation examples, as the quick budget sets them; the sealed splits were not opened.');
    expect(dataAsRun(registered)).toBe(registered.design.dataset.description);
  });

  test('settings every cell shares, and what each cell sets beyond them', () => {
    expect(sharedSettings(quick)).toEqual({ width: 256, init: 'torch' });
    expect(settingsAsRun(quick)).toBe('Budget as run (quick profile): epochs 1, batchSize 128, learningRate 0.001, width 256, trainExamples 3,000, validationExamples 2,000. Every cell shares: width 256, init "torch".');
    expect(cellSettings(quick)[0]).toBe('d2-relu-wd0: depth 2, activation "relu", weightDecay 0');
  });

  test('no generated quick-profile output says "test" (README, verdicts.md, the terminal table, the speaker script)', () => {
    // The researcher's own words (claims, SESOI reasons, the question, the study's notes) are theirs, not generated:
    // replaced by neutral text, so that what remains is what hypotest wrote.
    const neutral: VerdictsFile = {
      ...quick, study: { ...quick.study, question: 'the question' }, design: { ...quick.design, notes: [] },
      hypotheses: quick.hypotheses.map((h) => ({ ...h, claim: `claim of ${h.id}`, sesoiReason: 'reason' })),
    };
    const generated = (text: string) => text;
    const outputs = {
      'README.md': renderWriteup(neutral),
      'verdicts.md': renderMarkdown(neutral),
      terminal: renderTerminalTable(neutral, 200),
      'slides-script.md': slidesScript({ file: neutral, figures: reportFigures(neutral, []), narrative: null, studyFolder: 'experiments/ablation/' }, { strict: false }),
    };
    for (const [name, text] of Object.entries(outputs)) {
      const hits = generated(text).match(/.{0,40}\btest\b.{0,40}/gi) ?? [];
      expect(hits, name).toEqual([]);
    }
    expect(outputs['README.md']).toContain('3,000 training examples');
    expect(outputs['README.md']).not.toContain('50,000');
  });
});
