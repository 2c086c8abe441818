/**
 * The NeurIPS-style paper and readout of an arms study, built from the synthetic records of a three-arm study
 * (fixtures/armsReport/armsFixture.ts) through the same entry point as a real study (`buildStudyDocuments`, which hands
 * a `paired` study to the arms layout): four pages of content and the references on page 5 (pdfinfo, pdftotext per
 * page), the NeurIPS text block (every word inside the 5.5 in × 9 in block, from pdftotext -bbox), the title at about
 * 1.7 times the body size, every font embedded and shipped (pdffonts), every page rendered (pdftoppm), the figures'
 * data equal to the records, every narrative value in the text, the same bytes from the same records.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { armsFixture, FIXTURE_CORRUPTIONS, type ArmsFixture } from '../../fixtures/armsReport/armsFixture.ts';
import { decodePredictions } from '../../harness/metrics.ts';
import { formatValue } from '../../harness/figures/format.ts';
import { armsReportData } from './armsData.ts';
import { ARMS_FIGURES, armsFigures } from './armsFigures.ts';
import { buildStudyDocuments, type StudyDocuments } from './build.ts';
import { fillNarrative, narrativeValues } from './narrative.ts';
import { NEURIPS_SECTIONS } from './neurips.ts';
import { TALK_MINUTES } from './slides.ts';
import { DOCUMENT_FONTS } from './typst.ts';

const pdfinfo = (path: string) => execFileSync('pdfinfo', [path], { encoding: 'utf8' });
const pageText = (path: string, page: number) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], { encoding: 'utf8' });
const flat = (text: string) => text.replace(/\u00ad\n/g, '').replace(/-\n/g, '-').replace(/\s+/g, ' ').replace(/[’‘]/g, "'").replace(/[“”]/g, '"');
const pagesOf = (path: string) => Number(/Pages:\s+(\d+)/.exec(pdfinfo(path))![1]);

/** Every word's page and box (pt, origin top left) from `pdftotext -bbox`. */
function words(path: string): { page: number; text: string; xMin: number; yMin: number; xMax: number; yMax: number }[] {
  const html = execFileSync('pdftotext', ['-bbox', path, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out: ReturnType<typeof words> = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
    if (m) out.push({ page, text: m[5], xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
  }
  return out;
}

describe('the NeurIPS-style paper of an arms study, from synthetic records of three arms', () => {
  let fixture: ArmsFixture;
  let built: StudyDocuments;
  let dir: string;
  const input = () => ({ file: fixture.file, runs: fixture.runs, narrative: fixture.narrative, studyFolder: 'experiments/architectures-fixture/' });
  beforeAll(async () => {
    fixture = armsFixture();
    built = await buildStudyDocuments(input());
    dir = mkdtempSync(join(tmpdir(), 'hypotest-neurips-'));
    for (const [name, content] of Object.entries(built.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
  }, 180_000);

  test('builds every document without a problem: paper, slides, script, the five figures, both CSVs', () => {
    expect(built.problems).toEqual([]);
    expect(Object.keys(built.files).sort()).toEqual(['paper.pdf', 'runs.csv', 'slides-script.md', 'slides.pdf', 'verdicts.csv', ...ARMS_FIGURES.map((f) => `figures/${f}`)].sort());
  });

  test('four pages of content, the references alone on page 5, US letter', () => {
    const paper = join(dir, 'paper.pdf');
    expect(pagesOf(paper)).toBe(5);
    expect(pdfinfo(paper)).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
    const heading = (page: number) => /^References$/m.test(pageText(paper, page));
    expect([1, 2, 3, 4, 5].filter(heading)).toEqual([5]);
    expect(pageText(paper, 4).trim().length, 'page 4 carries content').toBeGreaterThan(800);
    const text = flat([1, 2, 3, 4, 5].map((p) => pageText(paper, p)).join('\n'));
    let at = -1;
    for (const section of NEURIPS_SECTIONS) {
      const found = text.indexOf(section, at + 1);
      expect(found, `${section} after the previous section`).toBeGreaterThan(at);
      at = found;
    }
  });

  test('the NeurIPS text block: every word within 1.5 in of the sides and 1 in of top and bottom (page numbers in the footer); title 17 pt over a 10 pt body', () => {
    const all = words(join(dir, 'paper.pdf'));
    const inch = 72;
    for (const w of all) {
      expect(w.xMin, `${w.text} on page ${w.page}`).toBeGreaterThanOrEqual(1.5 * inch - 0.5);
      // Typst hangs a line's final punctuation slightly into the margin (text.overhang, like microtype's protrusion).
      const overhang = /[,.;:)\]’”\u00ad-]$/.test(w.text) ? 3.5 : 0.5;
      expect(w.xMax, `${w.text} on page ${w.page}`).toBeLessThanOrEqual(612 - 1.5 * inch + overhang);
      const footer = w.yMin > 792 - inch && /^\d+$/.test(w.text);
      if (!footer) {
        // A word's box runs from the font's ascent to its descent; Typst puts the first line's cap height at the top
        // margin and the last line's baseline at the bottom one, so ascenders and descenders may pass them by about 0.3 em.
        expect(w.yMin, `${w.text} on page ${w.page}`).toBeGreaterThanOrEqual(inch - 5);
        expect(w.yMax, `${w.text} on page ${w.page}`).toBeLessThanOrEqual(792 - inch + 5);
      }
    }
    const height = (w: { yMin: number; yMax: number }) => w.yMax - w.yMin;
    const title = all.find((w) => w.page === 1 && w.text === 'Fashion-MNIST')!;
    const body = all.filter((w) => w.page === 1 && w.text === 'practitioner');
    expect(body.length).toBeGreaterThan(0);
    expect(height(title) / height(body[0])).toBeCloseTo(1.7, 1);
    // The page is 8.5 in wide and the block 5.5 in: the longest lines of page 2 span (nearly) the whole block.
    const page2 = all.filter((w) => w.page === 2);
    expect(Math.min(...page2.map((w) => w.xMin))).toBeCloseTo(108, 0);
    expect(Math.max(...page2.map((w) => w.xMax))).toBeGreaterThan(500);
  });

  test('every font is embedded, none is Type 3, all from the shipped font files', () => {
    for (const name of ['paper.pdf', 'slides.pdf']) {
      const lines = execFileSync('pdffonts', [join(dir, name)], { encoding: 'utf8' }).trim().split('\n').slice(2);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line, name).not.toMatch(/Type 3/);
        expect(line.split(/\s+/).slice(-5, -4)[0], `${name}: ${line}`).toBe('yes');
        const family = line.split(/\s+/)[0].replace(/^[A-Z]{6}\+/, '').replace(/-.*$/, '');
        expect(DOCUMENT_FONTS.map((f) => f.replace(/\s/g, '')), line).toContain(family);
      }
    }
    expect(execFileSync('pdffonts', [join(dir, 'paper.pdf')], { encoding: 'utf8' })).toMatch(/SourceSerif4-Regular/);
  });

  test('every page of both PDFs renders with pdftoppm', () => {
    const out = mkdtempSync(join(tmpdir(), 'hypotest-neurips-pages-'));
    for (const name of ['paper', 'slides']) {
      execFileSync('pdftoppm', ['-png', '-r', '30', join(dir, `${name}.pdf`), join(out, name)]);
      const images = readdirSync(out).filter((f) => f.startsWith(`${name}-`));
      expect(images).toHaveLength(pagesOf(join(dir, `${name}.pdf`)));
      for (const image of images) expect(readFileSync(join(out, image)).length, image).toBeGreaterThan(1500);
    }
  }, 60_000);

  test('the text holds every narrative value, every caption and the records\' means; the slides are 16:9 and timed to 25 minutes', () => {
    const paper = join(dir, 'paper.pdf');
    const text = flat([1, 2, 3, 4, 5].map((p) => pageText(paper, p)).join('\n'));
    const values = narrativeValues(fixture.file);
    fillNarrative(fixture.narrative, fixture.file, 'fixture');
    const references = [...fixture.narrative.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(5);
    for (const reference of new Set(references)) expect(text, `{{${reference}}}`).toContain(values.get(reference)!.replace(/\s+/g, ' '));
    const data = armsReportData(fixture.file, fixture.runs);
    for (const figure of armsFigures(fixture.file, data)) expect(text, figure.file).toContain(figure.caption.replace(/\s+/g, ' ').slice(0, 50));
    for (const cell of fixture.file.summary!.cells) {
      const m = cell.metrics['test.accuracy'];
      expect(text).toContain(`${formatValue(m.mean, '%')} ± ${formatValue((m.upper! - m.lower!) / 2, '%')}`);
    }
    const slides = pdfinfo(join(dir, 'slides.pdf'));
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(slides)!;
    expect(Number(w) / Number(h)).toBeCloseTo(16 / 9, 3);
    const script = String(built.files['slides-script.md']);
    const minutes = [...script.matchAll(/^## Slide \d+: .* \(([\d.]+) min, \d+ words\)$/gm)].map((m) => Number(m[1]));
    expect(minutes).toHaveLength(pagesOf(join(dir, 'slides.pdf')));
    expect(minutes.reduce((a, b) => a + b, 0)).toBe(TALK_MINUTES);
  });

  test('the figures plot the records: corruption means, reliability counts, per-seed differences, every search trial with the chosen one', () => {
    const data = armsReportData(fixture.file, fixture.runs);
    const finals = fixture.runs.filter((r) => r.search?.kind === 'chosen');
    expect(data.corruptions).toEqual([...FIXTURE_CORRUPTIONS]);
    for (const row of data.corruptionRows.filter((r) => r.corruption !== 'clean test')) {
      const values = finals.filter((r) => r.cell === row.arm).map((r) => r.groupMetrics!.shift![row.corruption].accuracy);
      expect(row.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 10);
      expect(row.lower!).toBeLessThan(row.mean);
    }
    for (const arm of data.arms) {
      for (const split of ['test', 'shift'] as const) {
        const rows = data.reliability.filter((r) => r.arm === arm && r.split === split);
        const examples = finals.filter((r) => r.cell === arm).reduce((a, r) => a + r.predictions[split]!.count, 0);
        expect(rows.reduce((a, r) => a + r.count, 0)).toBe(examples);
        const correct = finals.filter((r) => r.cell === arm).reduce((a, r) => a + decodePredictions(r.predictions[split]!).correct.reduce((x, y) => x + y, 0), 0);
        expect(rows.reduce((a, r) => a + r.accuracy * r.count, 0)).toBeCloseTo(correct, 6);
      }
    }
    // The bootstrap runs with the seed the study registered (in a note, as the architectures study does).
    expect(data.bootstrapSeed).toBe(2026);
    const test = data.paired.find((p) => p.split === 'test')!;
    expect('comparison' in test).toBe(true);
    if ('comparison' in test) {
      const h1 = fixture.file.hypotheses.find((h) => h.id === 'H1')!;
      expect([test.comparison.best, test.comparison.second]).toEqual([h1.chosen!.best, h1.chosen!.second]);
      for (const s of test.comparison.perSeed) {
        const a = finals.find((r) => r.cell === test.comparison.best && r.seed === s.seed)!.metrics.test!.accuracy;
        const b = finals.find((r) => r.cell === test.comparison.second && r.seed === s.seed)!.metrics.test!.accuracy;
        expect(s.difference).toBeCloseTo(a - b, 10);
      }
      // The primary interval is the verdict's, unadjusted: same estimate as H1.
      expect(test.comparison.pairedT.estimate).toBeCloseTo(h1.estimate!, 10);
    }
    const trials = fixture.runs.filter((r) => r.search?.kind === 'trial');
    const rows = data.search!.arms.flatMap((a) => a.trials);
    expect(rows).toHaveLength(trials.length);
    for (const arm of data.arms) {
      const chosen = rows.filter((r) => r.arm === arm && r.chosen);
      expect(chosen).toHaveLength(1);
      const best = Math.max(...rows.filter((r) => r.arm === arm).map((r) => r.validationAccuracy));
      expect(chosen[0].validationAccuracy).toBe(best);
      expect(chosen[0].trial).toBe(finals.find((r) => r.cell === arm)!.search!.trial);
    }
  });

  test('the same records give the same bytes', async () => {
    const again = await buildStudyDocuments(input());
    for (const name of ['paper.pdf', 'slides.pdf', 'slides-script.md', 'figures/reliability.svg']) {
      expect(Buffer.from(again.files[name]).equals(Buffer.from(built.files[name])), name).toBe(true);
    }
  }, 120_000);

  test('longer claims and narrative are set tighter to keep four pages; past what fits, the problem names the narrative to shorten', async () => {
    const longer = armsFixture();
    longer.file.hypotheses.forEach((h) => { h.claim = `${h.claim}, as registered before the sealed splits opened`; });
    const grow = (times: number) => longer.narrative
      .replace('## Introduction\n', `## Introduction\n${'Benchmarks of model families rarely give each family the same tuning budget. '.repeat(times)}\n\n`)
      .replace('## Discussion\n', `## Discussion\n${'The comparison is what a lab would run before choosing a family for a small image task. '.repeat(times)}\n\n`);
    const fits = await buildStudyDocuments({ ...input(), file: longer.file, runs: longer.runs, narrative: grow(6) });
    expect(fits.problems).toEqual([]);
    const fitsPath = join(dir, 'longer.pdf');
    writeFileSync(fitsPath, fits.files['paper.pdf']);
    expect(pagesOf(fitsPath)).toBe(5);
    expect(/^References$/m.test(pageText(fitsPath, 5))).toBe(true);
    expect(Buffer.from(fits.files['paper.pdf']).equals(Buffer.from(built.files['paper.pdf']))).toBe(false);
    const tooLong = await buildStudyDocuments({ ...input(), file: longer.file, runs: longer.runs, narrative: grow(60) });
    const paperProblems = tooLong.problems.filter((p) => p.startsWith('paper.pdf'));
    expect(paperProblems).toHaveLength(1);
    expect(paperProblems[0]).toMatch(/^paper\.pdf has \d+ pages of content before the references, more than 4 even set tightly\. Fix: shorten the narrative's Introduction and Discussion \(experiments\/architectures-fixture\/narrative\.md\)\.$/);
  }, 180_000);
});
