import { describe, expect, test } from 'vitest';
import type { HypothesisResult } from '../index.ts';
import { intervalFigure } from './interval.ts';

const base: HypothesisResult = {
  study: 'toy', id: 'H1', claim: 'c', family: 'confirmatory', familySize: 1, confirmatory: true, correction: 'bonferroni', metric: 'accuracy',
  unit: 'pp', split: 'test', profile: 'registered', direction: 'greater', sesoi: 3, sesoiReason: 'r', effect: 'e', verdict: 'supported',
  reason: 'r', code: 'beyond-sesoi', estimate: 10, lower: 8, upper: 12, confidence: 0.95, df: 8, standardError: 1, pValue: 0.001,
  adjustedPValue: 0.001, minimumDetectableEffect: 2, power: 0.8, runsComplete: 12, runsExpected: 12, missing: [], diverged: [],
};

function xOf(svg: string, pattern: RegExp): number {
  const match = svg.match(pattern);
  if (!match) throw new Error(`no match for ${pattern} in ${svg}`);
  return Number(match[1]);
}

describe('intervalFigure', () => {
  test('draws the interval in the verdict colour, with the estimate between its ends and the SESOI line right of zero', () => {
    const svg = intervalFigure(base);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('H1 supported: 10.00 pp [8.00, 12.00]');
    expect(svg).toContain('fill="#1a7f37"');
    const estimate = xOf(svg, /<circle cx="([\d.]+)"/);
    const [low, high] = [...svg.matchAll(/<line x1="([\d.]+)" y1="32" x2="([\d.]+)" y2="32"/g)].map((m) => [Number(m[1]), Number(m[2])])[0];
    expect(low).toBeLessThan(estimate);
    expect(estimate).toBeLessThan(high);
    const zero = xOf(svg, /<text x="([\d.]+)" y="66" text-anchor="middle" fill="#24292f">0</);
    const sesoi = xOf(svg, /<text x="([\d.]+)" y="66" text-anchor="middle" fill="#57606a">SESOI \+3</);
    expect(zero).toBeLessThan(sesoi);
    expect(sesoi).toBeLessThan(low);
  });

  test('an equivalence claim shades the margin; refuted and inconclusive get their own colours', () => {
    const svg = intervalFigure({ ...base, direction: 'equivalent', verdict: 'refuted', lower: 4, upper: 6, estimate: 5 });
    expect(svg).toMatch(/<rect x="[\d.]+" y="16" width="[\d.]+" height="36"/);
    expect(svg).toContain('#cf222e');
    expect(intervalFigure({ ...base, verdict: 'inconclusive' })).toContain('#b35900');
  });

  test('no interval (incomplete): a line of text, escaped', () => {
    const svg = intervalFigure({ ...base, verdict: 'incomplete', code: 'missing-runs<>' as HypothesisResult['code'], estimate: null, lower: null, upper: null });
    expect(svg).toContain('H1 incomplete: no interval (missing-runs&lt;&gt;)');
  });
});
