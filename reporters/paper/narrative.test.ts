import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { errorOf } from '../../fixtures/testing.ts';
import { REPO } from '../../fixtures/projects/run.ts';
import type { VerdictsFile } from '../render/verdictTable.ts';
import { formatInterval, formatP, formatValue } from '../../harness/figures/format.ts';
import { fillNarrative, markdownToTypst, NarrativeReferenceError, narrativeValues } from './narrative.ts';

const file: VerdictsFile = JSON.parse(readFileSync(join(REPO, 'reports', 'ablation', 'verdicts.json'), 'utf8'));
const h1 = file.hypotheses.find((h) => h.id === 'H1')!;

describe('narrative references', () => {
  test('are filled from the records, formatted for their unit', () => {
    const filled = fillNarrative('## Introduction\nDepth: {{H1.estimate}} pp {{ H1.ci }} ({{H1.verdict}}), F {{anova.depth.F}}.\n## Discussion\n{{study.runs}} runs.', file, 'n.md');
    expect(filled.Introduction).toBe(`Depth: ${formatValue(h1.estimate, 'pp', { signed: true })} pp ${formatInterval(h1.lower, h1.upper, 'pp')} (${h1.verdict}), F ${file.summary!.anova!.rows.find((r) => r.term === 'depth')!.F.toFixed(2)}.`);
    expect(filled.Discussion).toBe('54 runs.');
  });

  test('an unknown reference is a named error that lists what exists', () => {
    const error = errorOf(() => fillNarrative('## Introduction\n{{H9.estimate}}\n## Discussion\nx', file, 'experiments/ablation/narrative.md'));
    expect(error).toBeInstanceOf(NarrativeReferenceError);
    expect(error.message).toContain('experiments/ablation/narrative.md: unknown reference {{H9.estimate}}');
    expect(error.message).toContain('H1, H2');
    expect(errorOf(() => fillNarrative('## Introduction\n{{H1.median}}\n## Discussion\nx', file, 'n.md')).message).toContain('{{H1.median}}');
  });

  test('Introduction and Discussion are required; unknown sections are errors', () => {
    expect(errorOf(() => fillNarrative('## Introduction\nx', file, 'n.md')).message).toContain('"## Discussion" section is missing');
    expect(errorOf(() => fillNarrative('## Introduction\nx\n## Results\ny\n## Discussion\nz', file, 'n.md')).message).toContain('unknown section "## Results"');
  });

  test('every value the records give is text, and cells are addressable', () => {
    const values = narrativeValues(file);
    expect(values.get('cell.d2-relu-wd0.mean')).toBe(formatValue(file.summary!.cells[0].metrics['test.accuracy'].mean, '%'));
    expect(values.get('H1.adjustedP')).toBe(formatP(h1.adjustedPValue));
    expect(values.get('residual.df')).toBe('34');
  });

  test('the ablation narrative fills without an unknown reference', () => {
    const text = readFileSync(join(REPO, 'experiments', 'ablation', 'narrative.md'), 'utf8');
    const filled = fillNarrative(text, file, 'experiments/ablation/narrative.md');
    expect(Object.keys(filled)).toEqual(['Introduction', 'Discussion', 'Limitations', 'Next steps']);
    expect(JSON.stringify(filled)).not.toContain('{{');
  });
});

describe('markdown to Typst', () => {
  test('keeps emphasis and code, escapes every markup character', () => {
    expect(markdownToTypst('**Bold** and *it* with `x_1` and #hash $5 @ref <l> [b] a_b // c')).toBe('*Bold* and _it_ with #raw("x_1") and \\#hash \\$5 \\@ref \\<l\\> \\[b\\] a\\_b \\/\\/ c');
  });
  test('lists with continuation lines and paragraphs', () => {
    expect(markdownToTypst('- one\n  more\n- two\n\npara\ngraph')).toBe('- one more\n- two\n\npara graph');
  });
});

describe('number formatting', () => {
  test('digits follow the unit; real minus signs; small p-values bounded', () => {
    expect(formatValue(-0.7144, 'pp')).toBe('−0.71');
    expect(formatValue(0.3089, 'pp', { signed: true })).toBe('+0.31');
    expect(formatValue(-0.0058, 'nats')).toBe('−0.006');
    expect(formatValue(-0.0004, 'pp')).toBe('0.00');
    expect(formatInterval(-0.0125, 0.0009, 'nats')).toBe('[−0.013, +0.001]');
    expect(formatP(1.1e-6)).toBe('< 0.0001');
    expect(formatP(0.0361)).toBe('0.036');
  });
});
