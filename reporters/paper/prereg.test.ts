import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO } from '../../fixtures/projects/run.ts';
import type { SensitivityFile, VerdictsFile } from '../render/verdictTable.ts';
import { PREREG_SECTIONS, preregPdf, type PreregInput } from './prereg.ts';

const file: VerdictsFile = JSON.parse(readFileSync(join(REPO, 'reports', 'ablation', 'verdicts.json'), 'utf8'));
const sensitivity: SensitivityFile = JSON.parse(readFileSync(join(REPO, 'reports', 'ablation', 'pilot', 'sensitivity.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(REPO, 'experiments', 'ablation', 'prereg.lock.json'), 'utf8'));
const input: PreregInput = {
  study: file.study, design: file.design, sensitivity, studyFolder: 'experiments/ablation/',
  hypotheses: file.hypotheses.map((h) => ({ id: h.id, claim: h.claim, effect: h.effect, metric: h.metric, unit: h.unit, direction: h.direction, sesoi: h.sesoi, sesoiReason: h.sesoiReason, family: h.family })),
  lock: { hash: lock.hash, lockedAt: lock.lockedAt, gitCommit: lock.gitCommit },
};

describe('prereg.pdf', () => {
  test('renders question, design, every hypothesis with its SESOI reason, the analysis plan, the pilot and the lock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypotest-prereg-'));
    const pdf = preregPdf(input);
    writeFileSync(join(dir, 'prereg.pdf'), pdf);
    expect(preregPdf(input).equals(pdf)).toBe(true);
    const text = execFileSync('pdftotext', [join(dir, 'prereg.pdf'), '-'], { encoding: 'utf8' }).replace(/\u00ad\n/g, '').replace(/[‘’]/g, "'").replace(/\s+/g, ' ');
    for (const section of PREREG_SECTIONS) expect(text).toContain(section);
    for (const h of input.hypotheses) {
      expect(text).toContain(h.claim.replace(/\s+/g, ' ').slice(0, 40));
      expect(text).toContain(h.sesoiReason.replace(/\s+/g, ' ').slice(0, 50));
    }
    expect(text).toContain(lock.hash);
    expect(text).toContain(file.study.question.slice(0, 60));
    const info = execFileSync('pdfinfo', [join(dir, 'prereg.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+612 x 792 pts/);
    expect(new Date(/CreationDate:\s+(.*)/.exec(info)![1]).getTime()).toBe(Math.floor(Date.parse(lock.lockedAt) / 1000) * 1000);
    const fonts = execFileSync('pdffonts', [join(dir, 'prereg.pdf')], { encoding: 'utf8' }).trim().split('\n').slice(2);
    for (const line of fonts) expect(line).toMatch(/\+(SourceSerif4|SourceSans3|SourceCodePro)-\S+\s+CID TrueType\s+Identity-H\s+yes/);
  });
});

describe('prereg.pdf names the split of a hypothesis that names one, and the registered ECE bins (issue 13)', () => {
  test('a shift hypothesis and a shift drop say which sealed splits they are judged on', () => {
    const withShift: PreregInput = {
      ...input,
      design: { ...input.design, metrics: { ...input.design.metrics, secondary: ['nll', 'ece'], eceBins: 20 } },
      hypotheses: [
        { ...input.hypotheses[0], id: 'S1', split: 'shift' },
        { ...input.hypotheses[1], id: 'S2', metric: 'ece', unit: 'pp', split: 'test and shift (test minus shift)' },
        input.hypotheses[2],
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'hypotest-prereg-'));
    writeFileSync(join(dir, 'prereg.pdf'), preregPdf(withShift));
    const text = execFileSync('pdftotext', [join(dir, 'prereg.pdf'), '-'], { encoding: 'utf8' }).replace(/\u00ad\n/g, '').replace(/\s+/g, ' ');
    expect(text).toContain('metric accuracy on the shift split;');
    expect(text).toContain('metric ece on the test and shift (test minus shift) splits;');
    expect(text).toMatch(/secondary nll, ece; ECE with 20 equal-?width bins/);
  });
});
