import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as stats from './index.ts';

// The public contract of harness/stats: these names, each documented (what, reference, throws, example).
const publicFunctions = [
  'describeSample',
  'meanInterval',
  'welchTTest',
  'pairedTTest',
  'studentTTest',
  'factorialAnova',
  'contrastInterval',
  'partialOmegaSquared',
  'holmAdjust',
  'benjaminiHochberg',
  'bonferroniConfidence',
  'hedgesG',
  'cohenD',
  'mcnemarTest',
  'wilcoxonSignedRank',
  'pairedBootstrapInterval',
  'minimumDetectableEffect',
  'judge',
  'classificationOutcomes',
  'macroF1',
  'negativeLogLikelihood',
  'expectedCalibrationError',
  'reliabilityBins',
  'brierScore',
  'studentTQuantile',
  'studentTCdf',
  'studentTUpperTail',
  'fUpperTail',
  'standardNormalCdf',
  'standardNormalQuantile',
  'chiSquareUpperTail',
  'binomialCdf',
  'signedRankCdf',
  'signedRankUpperTail',
] as const;

describe('harness/stats public API', () => {
  test('exports exactly the documented functions', () => {
    const exported = Object.entries(stats).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect(exported.sort()).toEqual([...publicFunctions].sort());
  });

  const sources = readdirSync(new URL('.', import.meta.url))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'));

  test.each(publicFunctions)('%s has a doc comment with @throws and @example', (name) => {
    const source = sources.find((s) => s.includes(`export function ${name}(`));
    expect(source, `no file declares export function ${name}`).toBeDefined();
    const before = source!.slice(0, source!.indexOf(`export function ${name}(`));
    const comment = before.slice(before.lastIndexOf('/**'));
    expect(comment.trimEnd().endsWith('*/'), `${name}: the doc comment must sit right above the function`).toBe(true);
    expect(comment).toMatch(/@throws/);
    expect(comment).toMatch(/@example/);
  });

  test('harness/stats is pure: no Vitest, no tfjs, no file or network I/O outside tests', () => {
    for (const source of sources) {
      expect(source).not.toMatch(/from 'vitest'|@tensorflow|node:fs|node:http|fetch\(/);
    }
  });
});
