/**
 * The arms figures plot exactly the rows they are given (the reporters gather those from the records; see
 * reporters/paper/neurips.test.ts), keep every arm, split and metric in its registered order, and render to SVG with
 * the figure font and without clipping the text block.
 */
import { describe, expect, test } from 'vitest';
import { armMetricsSpec, corruptionAccuracySpec, NEURIPS_TEXT_WIDTH, pairedDifferencesSpec, reliabilitySpec, searchTrialsSpec } from './armsSpecs.ts';
import { renderSvg } from './render.ts';

const arms = ['mlp', 'vit', 'xgboost'];
const widthOf = (svg: string) => Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);

describe('arms figure specs', () => {
  test('per-arm metrics: one row per (arm, split, metric), one panel per metric in order, within the text block', async () => {
    const rows = arms.flatMap((arm, a) => ['test', 'shift'].flatMap((split) => ['accuracy (%)', 'ECE (%)'].map((metric) => ({ arm, split, metric, mean: 80 + a, lower: 79 + a, upper: 81 + a }))));
    const spec = armMetricsSpec({ rows, arms, metrics: ['accuracy (%)', 'ECE (%)'], splits: ['test', 'shift'] });
    expect(spec.data.values).toEqual(rows);
    expect((spec as unknown as { facet: { sort: string[] } }).facet.sort).toEqual(['accuracy (%)', 'ECE (%)']);
    const svg = await renderSvg(spec);
    expect(svg).toContain('font-family="Source Sans 3"');
    expect(widthOf(svg)).toBeLessThanOrEqual(NEURIPS_TEXT_WIDTH);
  });

  test('corruptions, reliability, paired differences and search trials keep their rows and fit their widths', async () => {
    const corruption = corruptionAccuracySpec({ rows: arms.map((arm) => ({ arm, corruption: 'rotate-2', mean: 70, lower: 69, upper: 71 })), arms, corruptions: ['clean test', 'rotate-2'] });
    expect(corruption.data.values.map((r) => r.arm)).toEqual(arms);
    const reliability = reliabilitySpec({ rows: [{ arm: 'mlp', split: 'test', lower: 0.8, upper: 0.9, count: 10, confidence: 0.85, accuracy: 0.7 }], arms: ['mlp'], splits: ['test'], bins: 10 });
    expect(reliability.data.values[0]).toMatchObject({ accuracyPercent: 70, confidencePercent: 85, count: 10 });
    const paired = pairedDifferencesSpec({ seeds: [1, 2, 3].map((seed) => ({ split: 'test', seed, difference: seed / 10 })), intervals: [{ split: 'test', method: 'paired t 95%', estimate: 0.2, lower: -0.1, upper: 0.5 }], splits: ['test'], sesoi: 0.5, title: 'a − b (pp)', width: 192 });
    expect(paired.data.values.filter((r) => r.kind === 'seed')).toHaveLength(3);
    expect(paired.data.values.find((r) => r.kind === 'interval')).toMatchObject({ row: 'test: paired t 95%', lower: -0.1, upper: 0.5 });
    const search = searchTrialsSpec({ rows: [1, 2].map((trial) => ({ arm: 'mlp', trial, validationAccuracy: 80 + trial, chosen: trial === 2, settings: '' })), arms: ['mlp'], width: 192 });
    expect(search.data.values.filter((r) => r.chosen).map((r) => r.trial)).toEqual([2]);
    for (const [spec, width] of [[corruption, NEURIPS_TEXT_WIDTH], [reliability, NEURIPS_TEXT_WIDTH], [paired, 200], [search, 200]] as const) {
      expect(widthOf(await renderSvg(spec))).toBeLessThanOrEqual(width);
    }
  });
});
