/**
 * Each figure's plotted data must be what the run records say. The expected values are computed here directly
 * from the ablation's stored records (results/ablation/), independently of the analysis code, and compared with the
 * rows of the spec; nothing is checked on pixels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO } from '../../fixtures/projects/run.ts';
import type { RunRecord } from '../store.ts';
import { VERDICT_COLOURS } from './palette.ts';
import { renderSvg, textWidth } from './render.ts';
import { cellMeansSpec, forestSpec, interactionSpec, learningCurveSpec, runCurveSpec, type CellMeanInput, type FigureHypothesis } from './specs.ts';

const RESULTS = join(REPO, 'results', 'ablation');
const records: RunRecord[] = readdirSync(RESULTS, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'archive')
  .flatMap((d) => readdirSync(join(RESULTS, d.name)).filter((f) => /^seed-\d+\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(RESULTS, d.name, f), 'utf8')) as RunRecord));
const factors = { depth: [2, 4, 8], activation: ['relu', 'gelu'], weightDecay: [0, 0.0001, 0.001] };
const levels = (r: RunRecord) => r.config as Record<string, string | number>;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const cells: CellMeanInput[] = [...new Set(records.map((r) => r.cell))].map((cell) => {
  const own = records.filter((r) => r.cell === cell);
  const values = own.map((r) => r.metrics.test!.accuracy);
  return { cell, levels: levels(own[0]), mean: mean(values), lower: mean(values) - 1, upper: mean(values) + 1, values };
});

describe('figure specs carry the records', () => {
  test('the ablation has 54 stored registered runs to plot', () => {
    expect(records).toHaveLength(54);
  });

  test('cell means: one row per cell, its levels, and the mean test accuracy of its seeds', () => {
    const spec = cellMeansSpec({ cells, factors, metric: 'test accuracy (%)' });
    expect(spec.data.values).toHaveLength(18);
    for (const row of spec.data.values) {
      const own = records.filter((r) => r.cell === row.cell);
      expect(row.mean).toBeCloseTo(mean(own.map((r) => r.metrics.test!.accuracy)), 10);
      expect(row.n).toBe(3);
      for (const factor of Object.keys(factors)) expect(row[factor]).toBe(levels(own[0])[factor]);
    }
  });

  test('interaction: each depth × activation mean is the mean of its 9 runs', () => {
    const spec = interactionSpec({ cells, factors, along: 'depth', by: 'activation', metric: 'test accuracy (%)' });
    const means = spec.data.values.filter((r) => r.kind === 'mean');
    expect(means).toHaveLength(6);
    for (const row of means) {
      const own = records.filter((r) => levels(r).depth === row.row && levels(r).activation === row.colour);
      expect(own).toHaveLength(9);
      expect(row.runs).toBe(9);
      expect(row.mean).toBeCloseTo(mean(own.map((r) => r.metrics.test!.accuracy)), 10);
    }
    expect(spec.data.values.filter((r) => r.kind === 'cell')).toHaveLength(18);
  });

  test('learning curves: per cell and epoch, mean and range over seeds of validation accuracy in percent', () => {
    const spec = learningCurveSpec({ runs: records.map((r) => ({ cell: r.cell, seed: r.seed, levels: levels(r), curve: r.curve })), factors });
    expect(spec.data.values).toHaveLength(18 * 10);
    for (const row of spec.data.values) {
      const values = records.filter((r) => r.cell === row.cell).map((r) => r.curve.find((p) => p.epoch === row.epoch)!.validationAccuracy! * 100);
      expect(row.seeds).toBe(3);
      expect(row.mean).toBeCloseTo(mean(values), 10);
      expect(row.min).toBeCloseTo(Math.min(...values), 10);
      expect(row.max).toBeCloseTo(Math.max(...values), 10);
    }
  });

  test('forest: every hypothesis with an interval, its estimate, interval, SESOI, claimed threshold and verdict', () => {
    const hypotheses: FigureHypothesis[] = [
      { id: 'H1', claim: 'A beats B (by more than 0.5 pp)', estimate: 0.7, lower: 0.2, upper: 1.2, confidence: 0.975, sesoi: 0.5, direction: 'greater', verdict: 'inconclusive', unit: 'pp' },
      { id: 'H2', claim: 'C is worse', estimate: -0.7, lower: -1, upper: -0.6, confidence: 0.975, sesoi: 0.5, direction: 'less', verdict: 'supported', unit: 'pp' },
      { id: 'H3', claim: 'D equivalent', estimate: 0.01, lower: -0.02, upper: 0.03, confidence: 0.95, sesoi: 0.05, direction: 'equivalent', verdict: 'supported', unit: 'nats' },
      { id: 'H4', claim: 'missing runs', estimate: null, lower: null, upper: null, confidence: 0.95, sesoi: 0.5, direction: 'greater', verdict: 'incomplete', unit: 'pp' },
    ];
    const spec = forestSpec(hypotheses);
    expect(spec.data.values.map((r) => r.id)).toEqual(['H1', 'H2', 'H3']);
    expect(spec.data.values.map((r) => r.threshold)).toEqual([0.5, -0.5, null]);
    expect(spec.data.values[1]).toMatchObject({ estimate: -0.7, lower: -1, upper: -0.6, sesoi: 0.5, verdict: 'supported', unit: 'pp' });
    // pp and nats never share an axis.
    expect((spec as unknown as { vconcat: unknown[] }).vconcat).toHaveLength(2);
    expect(JSON.stringify(spec)).toContain(VERDICT_COLOURS.supported);
  });

  test('run curve: validation accuracy in percent and training loss of one run', () => {
    const record = records[0];
    const spec = runCurveSpec({ cell: record.cell, seed: record.seed, curve: record.curve });
    expect(spec.data.values.filter((v) => v.measure === 'training loss').map((v) => v.value)).toEqual(record.curve.map((p) => p.trainLoss));
    expect(spec.data.values.filter((v) => v.measure !== 'training loss').map((v) => v.value)).toEqual(record.curve.map((p) => p.validationAccuracy! * 100));
  });
});

describe('renderSvg', () => {
  test('measures text with the bundled font: glyph advances scaled by size, bold wider than regular', () => {
    expect(textWidth('WWWW', 10)).toBeGreaterThan(2 * textWidth('iiii', 10));
    expect(textWidth('depth', 20)).toBeCloseTo(2 * textWidth('depth', 10), 10);
    expect(textWidth('depth', 10, 'bold')).toBeGreaterThan(textWidth('depth', 10));
    // Source Sans 3 Regular: advance width of "0" is 497 units per 1000 (its hmtx table), so ten of them at 10 px.
    expect(textWidth('0000000000', 10)).toBeCloseTo(49.7, 1);
  });

  test('renders a standalone, deterministic SVG in the figure font with the labels as text', async () => {
    const spec = cellMeansSpec({ cells, factors, metric: 'test accuracy (%)' });
    const first = await renderSvg(spec);
    await renderSvg(forestSpec([{ id: 'H1', claim: 'x', estimate: 1, lower: 0, upper: 2, confidence: 0.95, sesoi: 0.5, direction: 'greater', verdict: 'supported', unit: 'pp' }]));
    const second = await renderSvg(spec);
    expect(first).toBe(second);
    expect(first.startsWith('<svg')).toBe(true);
    expect(first).toContain('font-family="Source Sans 3"');
    expect(first).toContain('>weight decay</text>');
    expect(first).toContain('>depth</text>');
  });
});
