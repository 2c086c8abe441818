import { describe, expect, test } from 'vitest';
import type { HypothesisResult } from './analysis/index.ts';
import { verdictLine } from './verdictLine.ts';

const h3: HypothesisResult = {
  study: 'ablation', id: 'H3', claim: 'interaction', family: 'confirmatory', familySize: 4, confirmatory: true, correction: 'bonferroni',
  metric: 'accuracy', unit: 'pp', split: 'test', profile: 'registered', direction: 'greater', sesoi: 0.5, sesoiReason: 'r', effect: 'interaction',
  verdict: 'refuted', reason: 'short', code: 'short-of-sesoi', verdictRule: 2,
  registeredRuleVerdict: { verdictRule: 1, verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi', reason: 'r1' },
  estimate: -0.38, lower: -1.02, upper: 0.25, confidence: 0.9875, df: 34, standardError: 0.25, pValue: 0.14, adjustedPValue: 0.24,
  minimumDetectableEffect: 0.8, power: 0.8, runsComplete: 54, runsExpected: 54, missing: [], diverged: [],
};

describe('verdictLine', () => {
  test('digits follow the unit: a small effect in nats keeps three decimals', () => {
    expect(verdictLine({ ...h3, unit: 'nats', estimate: -0.0058, lower: -0.0125, upper: 0.0009, registeredRuleVerdict: null })).toMatch(/^refuted: interaction = −0\.006 nats \(98\.75% CI \[−0\.013, \+0\.001\]/);
  });

  test('shows the registered rule\'s verdict beside the headline when an analysis deviation changed the rule (issue 11)', () => {
    expect(verdictLine(h3)).toBe(
      'refuted: interaction = −0.38 pp (98.75% CI [−1.02, +0.25], Bonferroni over 4 confirmatory hypotheses); claim > +0.5 pp; short-of-sesoi; ' +
        'under the registered verdict rule 1: inconclusive (includes-zero-and-opposite-sesoi)',
    );
  });

  test('shows nothing beside when the rules agree', () => {
    expect(verdictLine({ ...h3, registeredRuleVerdict: null })).not.toContain('registered verdict rule');
  });
});
