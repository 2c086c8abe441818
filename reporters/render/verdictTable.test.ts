import { describe, expect, test } from 'vitest';
import type { HypothesisResult, RunSummary, VerdictMeta } from '../../harness/index.ts';
import { findingSentence } from './writeup.ts';
import { buildVerdictFiles, QUICK_LABEL, renderMarkdown, renderRunSummary, renderTerminalTable, verdictRows, type VerdictsFile } from './verdictTable.ts';

function result(overrides: Partial<HypothesisResult> = {}): HypothesisResult {
  return {
    study: 'toy', id: 'H1', claim: 'a1 beats a0 by more than 3 points', family: 'confirmatory', familySize: 2, confirmatory: true,
    correction: 'bonferroni', metric: 'accuracy', unit: 'pp', split: 'test', profile: 'registered', direction: 'greater',
    sesoi: 3, sesoiReason: 'three points matter', effect: 'a: +1×a1 -1×a0', verdict: 'supported',
    reason: 'interval [8.516, 11.18] lies beyond the SESOI 3 in the predicted direction', code: 'beyond-sesoi',
    estimate: 9.85, lower: 8.516, upper: 11.184, confidence: 0.975, df: 8, standardError: 0.44, pValue: 1.7e-8, adjustedPValue: 3.49e-8,
    minimumDetectableEffect: 1.5, power: 0.8, runsComplete: 12, runsExpected: 12, missing: [], diverged: [],
    ...overrides,
  };
}

const study: VerdictMeta['study'] = {
  name: 'toy', title: 'Toy factorial study', question: 'q?', lockHash: '0123456789abcdef0123', lockedAt: '2026-01-02T03:04:05.000Z', lockCommit: null,
};

const design: NonNullable<VerdictMeta['design']> = {
  dataset: { id: 'toy', description: 'generated', params: {} }, factors: { a: ['a0', 'a1'] }, cells: ['a0', 'a1'], seeds: [1, 2, 3],
  metrics: { primary: 'accuracy', readAt: 'final-epoch' }, budget: { epochs: 1 },
  analysis: { model: 'factorial', confidence: 0.95, seedAsBlock: false, seedBlockReason: 'r', families: {} },
  diverged: { rule: 'substitute-chance', reason: 'r' }, notes: [],
};

function meta(r: HypothesisResult, overrides: Partial<VerdictMeta> = {}): VerdictMeta {
  return { result: r, registered: [r.id], study: { ...study, name: r.study }, design, summary: null, postHoc: null, deviations: [], strict: false, ...overrides };
}

function file(hypotheses: HypothesisResult[], overrides: Partial<VerdictsFile> = {}): VerdictsFile {
  return { schemaVersion: 1, study, profile: 'registered', label: 'registered profile, sealed test split', strict: false, deviations: [], design, summary: null, postHoc: null, hypotheses, ...overrides };
}

const inconclusive = result({
  id: 'H2', claim: 'b makes no practical difference within three points, whatever the depth', direction: 'equivalent', verdict: 'inconclusive',
  code: 'crosses-sesoi', reason: 'interval [-3.5, 1] straddles a bound of (-SESOI, SESOI) = (-3, 3)', estimate: -1.25, lower: -3.5, upper: 1,
  minimumDetectableEffect: 4.321, adjustedPValue: 0.5,
});

describe('buildVerdictFiles', () => {
  test('groups by study and profile, keeps registration order, labels each profile', () => {
    const h1 = result();
    const h2 = result({ id: 'H2' });
    const quick = result({ id: 'H1', profile: 'quick', split: 'validation' });
    const other = result({ study: 'other', id: 'X1' });
    const deviations = [{ file: 'study.ts', what: 'w', why: 'y', when: 't' }];
    const both = ['H1', 'H2'];
    const files = buildVerdictFiles([meta(h1, { deviations, strict: true, registered: both }), meta(quick), meta(other), meta(h2, { registered: both, design: null })]);
    expect(files).toEqual([
      { schemaVersion: 1, study: { ...study, name: 'toy' }, profile: 'registered', label: 'registered profile, sealed test split', strict: true, deviations, design, summary: null, postHoc: null, hypotheses: [h1, h2] },
      { schemaVersion: 1, study: { ...study, name: 'toy' }, profile: 'quick', label: QUICK_LABEL, strict: false, deviations: [], design, summary: null, postHoc: null, hypotheses: [quick] },
      { schemaVersion: 1, study: { ...study, name: 'other' }, profile: 'registered', label: 'registered profile, sealed test split', strict: false, deviations: [], design, summary: null, postHoc: null, hypotheses: [other] },
    ]);
    expect(QUICK_LABEL).toBe('quick profile, validation only, not a registered result');
  });

  test('a run of only some registered hypotheses is partial: never a full file', () => {
    const h2 = result({ id: 'H2' });
    expect(buildVerdictFiles([meta(h2, { registered: ['H1', 'H2'] })])).toEqual([
      { partial: true, study: 'toy', ran: ['H2'], registered: ['H1', 'H2'], hypotheses: [h2] },
    ]);
  });

  test('no metas, no files', () => {
    expect(buildVerdictFiles([])).toEqual([]);
  });
});

describe('verdictRows', () => {
  test('effect, interval with its confidence, SESOI by direction, verdict (with MDE when inconclusive), runs, profile', () => {
    expect(verdictRows(file([result(), inconclusive, result({ id: 'H3', direction: 'less', sesoi: 0.5, unit: 'nats', estimate: -0.0058, lower: -0.0125, upper: 0.0009, confidence: 0.95 })]))).toEqual([
      ['H1 a1 beats a0 by more than 3 points', '+9.85 pp', '[+8.52, +11.18] (97.5%)', '> 3 pp', 'supported', '12/12', 'registered'],
      ['H2 b makes no practical difference within three points, whatever the depth', '−1.25 pp', '[−3.50, +1.00] (97.5%)', '±3 pp', 'inconclusive (MDE 4.32)', '12/12', 'registered'],
      // nats get three decimals: a small effect never prints as -0.01 [-0.01, 0.00].
      ['H3 a1 beats a0 by more than 3 points', '−0.006 nats', '[−0.013, +0.001] (95%)', '< −0.5 nats', 'supported', '12/12', 'registered'],
    ]);
  });

  test('an incomplete hypothesis shows dashes for the numbers it does not have', () => {
    const incomplete = result({ verdict: 'incomplete', code: 'missing-runs', estimate: null, lower: null, upper: null, minimumDetectableEffect: null, adjustedPValue: null, runsComplete: 11 });
    expect(verdictRows(file([incomplete]))[0]).toEqual(['H1 a1 beats a0 by more than 3 points', '—', '—', '> 3 pp', 'incomplete', '11/12', 'registered']);
  });
});

describe('renderTerminalTable', () => {
  test('a title, aligned columns, long claims wrapped (never cut), and a count of verdicts', () => {
    expect(renderTerminalTable(file([result(), inconclusive]))).toBe([
      'hypotest: toy — Toy factorial study (registered profile, sealed test split)',
      'hypothesis                                                effect    interval                 SESOI   verdict                  runs   profile',
      '--------------------------------------------------------  --------  -----------------------  ------  -----------------------  -----  ----------',
      'H1 a1 beats a0 by more than 3 points                      +9.85 pp  [+8.52, +11.18] (97.5%)  > 3 pp  supported                12/12  registered',
      'H2 b makes no practical difference within three           −1.25 pp  [−3.50, +1.00] (97.5%)   ±3 pp   inconclusive (MDE 4.32)  12/12  registered',
      '   points, whatever the depth',
      '1 supported, 1 inconclusive',
    ].join('\n'));
  });

  test('colours each verdict in a terminal that shows colour, and only the verdict', () => {
    const lines = renderTerminalTable(file([result(), inconclusive]), { colour: true }).split('\n');
    expect(lines[3]).toContain('\u001b[32msupported\u001b[0m');
    expect(lines[4]).toContain('\u001b[33minconclusive (MDE 4.32)\u001b[0m');
    expect(lines[3].replace(/\u001b\[\d+m/g, '')).toBe(renderTerminalTable(file([result(), inconclusive])).split('\n')[3]);
  });

  test('lists the deviations, and wraps lines at the given width', () => {
    const deviations = [{ file: 'hypotheses.exp.ts', what: 'added a comment', why: 'clarity', when: '2026-01-03T00:00:00.000Z' }, { file: 'study.ts', what: 'w', why: 'y', when: 't' }];
    const lines = renderTerminalTable(file([result()], { deviations })).split('\n');
    expect(lines[4]).toBe('deviations from the pre-registration: hypotheses.exp.ts: added a comment (clarity); study.ts: w (y)');
    expect(lines[5]).toBe('1 supported');
    const narrow = renderTerminalTable(file([result({ claim: 'a1 beats a0 by more than three points in every cell of the design' })]), 100).split('\n');
    expect(narrow[0]).toBe('hypotest: toy — Toy factorial study (registered profile, sealed test split)');
    expect(narrow.every((line) => line.length <= 100)).toBe(true);
    const claimLines = narrow.slice(3, -1).map((l) => l.trim().split(/\s{2,}/)[0]);
    expect(claimLines.length).toBeGreaterThan(1);
    expect(claimLines.join(' ')).toBe('H1 a1 beats a0 by more than three points in every cell of the design');
  });

  test('the quick profile carries its label in the title', () => {
    const quick = renderTerminalTable(file([result({ profile: 'quick', split: 'validation' })], { profile: 'quick', label: QUICK_LABEL }));
    expect(quick.split('\n')[0]).toBe('hypotest: toy — Toy factorial study (quick profile, validation only, not a registered result)');
  });
});

describe('renderMarkdown', () => {
  test('title, lock, the full table, reasons with adjusted p and SESOI reason, and no deviations', () => {
    const text = renderMarkdown(file([result(), inconclusive]));
    expect(text).toBe([
      '# Toy factorial study: verdicts',
      '',
      'Registered profile; lock `0123456789ab` (2026-01-02T03:04:05.000Z).',
      '',
      '| hypothesis | effect | interval | SESOI | verdict | runs | profile |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| H1 a1 beats a0 by more than 3 points | +9.85 pp | [+8.52, +11.18] (97.5%) | > 3 pp | supported | 12/12 | registered |',
      '| H2 b makes no practical difference within three points, whatever the depth | −1.25 pp | [−3.50, +1.00] (97.5%) | ±3 pp | inconclusive (MDE 4.32) | 12/12 | registered |',
      '',
      '## Reasons',
      '',
      '- **H1** (confirmatory, bonferroni, accuracy on test): supported — interval [8.516, 11.18] lies beyond the SESOI 3 in the predicted direction. Adjusted p = 3.49e-8. SESOI: three points matter',
      '- **H2** (confirmatory, bonferroni, accuracy on test): inconclusive — interval [-3.5, 1] straddles a bound of (-SESOI, SESOI) = (-3, 3). Adjusted p = 0.500. SESOI: three points matter',
      '',
      '## Deviations',
      '',
      'None recorded.',
      '',
    ].join('\n'));
  });

  test('the quick profile is labelled as not a registered result; an unlocked study says so', () => {
    const text = renderMarkdown(file([result({ profile: 'quick' })], { profile: 'quick', label: QUICK_LABEL, study: { ...study, lockHash: null, lockedAt: null } }));
    expect(text.split('\n')[2]).toBe('> **quick profile, validation only, not a registered result.**');
    const unlocked = renderMarkdown(file([result()], { study: { ...study, lockHash: null, lockedAt: null } }));
    expect(unlocked.split('\n')[2]).toBe('Registered profile; lock `—` (not locked).');
  });

  test('escapes pipes in table cells, and lists deviations with when, file, what and why', () => {
    const deviations = [{ file: 'hypotheses.exp.ts', what: 'added a comment', why: 'clarity', when: '2026-01-03T00:00:00.000Z' }];
    const text = renderMarkdown(file([result({ claim: 'a | b is not a column' })], { deviations }));
    expect(text).toContain('| H1 a \\| b is not a column | +9.85 pp |');
    expect(text).toContain('## Deviations\n\n- 2026-01-03T00:00:00.000Z: `hypotheses.exp.ts` — added a comment. Why: clarity\n');
  });

  test('a reason that already ends a sentence is not given a second full stop', () => {
    const incomplete = result({
      verdict: 'incomplete', code: 'missing-runs', estimate: null, lower: null, upper: null, adjustedPValue: null, minimumDetectableEffect: null,
      reason: '1 of 12 pre-registered runs are missing (a0-b1/seed-3); a hypothesis is judged only on the complete design.',
    });
    const line = renderMarkdown(file([incomplete])).split('\n').find((l) => l.startsWith('- **H1**'));
    expect(line).toBe('- **H1** (confirmatory, bonferroni, accuracy on test): incomplete — 1 of 12 pre-registered runs are missing (a0-b1/seed-3); a hypothesis is judged only on the complete design. SESOI: three points matter');
  });
});

describe('renderRunSummary', () => {
  const run = (overrides: Partial<RunSummary>): RunSummary => ({ study: 'toy', cell: 'a0-b0', seed: 1, profile: 'registered', status: 'ok', reused: false, metrics: {}, path: '/r', ...overrides });

  test('one line per study and profile: runs, trained, reused, diverged', () => {
    expect(renderRunSummary([
      run({}), run({ seed: 2, reused: true }), run({ seed: 3, status: 'diverged' }),
      run({ profile: 'quick' }),
      run({ study: 'other', reused: true, status: 'diverged' }),
    ])).toBe([
      'hypotest runs: toy (registered): 3 runs, 2 trained, 1 reused from stored records, 1 diverged',
      'hypotest runs: toy (quick): 1 runs, 1 trained, 0 reused from stored records, 0 diverged',
      'hypotest runs: other (registered): 1 runs, 0 trained, 1 reused from stored records, 1 diverged',
    ].join('\n'));
  });

  test('no runs, no lines', () => {
    expect(renderRunSummary([])).toBe('');
  });
});

describe('a verdict rule adopted by an analysis deviation (issue 11)', () => {
  const refuted = result({
    id: 'H3', verdict: 'refuted', code: 'short-of-sesoi', sesoi: 0.5, estimate: -0.38, lower: -1.02, upper: 0.25, verdictRule: 2,
    reason: 'interval [-1.02, 0.25] lies wholly short of the SESOI 0.5: it excludes every effect of the claimed size',
    registeredRuleVerdict: { verdictRule: 1, verdict: 'inconclusive', code: 'includes-zero-and-opposite-sesoi', reason: 'interval [-1.02, 0.25] includes zero and an effect of practical size in the opposite direction, but not the SESOI 0.5 in the predicted one' },
  });
  const same = result({ verdictRule: 2, registeredRuleVerdict: null });
  const deviations: VerdictMeta['deviations'] = [{ kind: 'analysis', file: 'analysis', what: 'verdicts by rule 2', why: 'minimum-effect testing', when: '2026-11-29T00:00:00.000Z', verdictRule: 2 }];
  const f = file([same, refuted], { deviations });

  test('the terminal table shows rule 2 as the headline and rule 1 beside where it differs, with the deviation', () => {
    const rows = verdictRows(f);
    expect(rows[0][4]).toBe('supported');
    expect(rows[1][4]).toBe('refuted (rule 1: inconclusive)');
    const text = renderTerminalTable(f, 400);
    expect(text).toContain('refuted (rule 1: inconclusive)');
    expect(text).toContain('deviations from the pre-registration: the analysis: verdicts by rule 2 (minimum-effect testing)');
    expect(text).toContain('Verdicts by verdict rule 2, adopted after the lock by a recorded analysis deviation; the verdict under the registered rule 1 is shown beside wherever it differs.');
  });

  test('the markdown gives the rule-1 verdict and its reason beside, and lists the analysis deviation', () => {
    const md = renderMarkdown(f);
    expect(md).toContain('| refuted (rule 1: inconclusive) |');
    expect(md).toContain('refuted — interval [-1.02, 0.25] lies wholly short of the SESOI 0.5: it excludes every effect of the claimed size. Under the registered verdict rule 1: inconclusive — interval [-1.02, 0.25] includes zero');
    expect(md).toContain('- 2026-11-29T00:00:00.000Z: the analysis — verdicts by rule 2. Why: minimum-effect testing');
  });

  test('the write-up says what a short-of-SESOI refutation means and gives the rule-1 verdict after it', () => {
    expect(findingSentence(refuted)).toBe(
      '**H3 refuted.** a1 beats a0 by more than 3 points: the effect (−0.38 pp, 97.5% CI [−1.02, +0.25]) lies wholly short of +0.5 pp, so the data exclude every effect of the claimed size. ' +
        'Under the verdict rule the lock registered (rule 1) this claim is inconclusive: interval [-1.02, 0.25] includes zero and an effect of practical size in the opposite direction, but not the SESOI 0.5 in the predicted one.',
    );
    expect(findingSentence(same)).not.toContain('rule');
  });

  test('without a rule change nothing is shown beside', () => {
    const plain = file([same]);
    expect(verdictRows(plain)[0][4]).toBe('supported');
    expect(renderTerminalTable(plain)).not.toContain('verdict rule');
  });
});

describe('a top-two hypothesis shows the arms it compared, chosen on validation (issue 16)', () => {
  const topTwo = result({
    id: 'E1', claim: 'the best arm beats the second best by more than 2 points', effect: 'best − second best (chosen on validation accuracy), paired by seed',
    chosen: { best: 'softmax', second: 'centroid', validationMeans: { softmax: 92.333, centroid: 80.111 } },
  });

  test('in the terminal table, beside the claim', () => {
    const lines = renderTerminalTable(file([topTwo]), 200).split('\n');
    // The claim column (claims wrap within it): the row and its continuation lines.
    const claimColumn = lines.slice(lines.findIndex((l) => l.startsWith('E1 ')), lines.findIndex((l) => l === '1 supported')).map((l) => l.slice(0, 56).trim()).join(' ');
    expect(claimColumn).toContain('E1 the best arm beats the second best by more than 2 points [best − second: softmax (92.33%) − centroid (80.11%), chosen on validation accuracy]');
  });

  test('in verdicts.md, in the table and the reasons', () => {
    const markdown = renderMarkdown(file([topTwo]));
    expect(markdown).toContain('| E1 the best arm beats the second best by more than 2 points [best − second: softmax (92.33%) − centroid (80.11%), chosen on validation accuracy] |');
    expect(markdown).toContain('supported — best − second: softmax (92.33%) − centroid (80.11%), chosen on validation accuracy. interval');
  });

  test('in the write-up, after the finding', () => {
    expect(findingSentence(topTwo)).toContain('lies beyond the SESOI of 3 pp in the predicted direction. Arms compared: best − second: softmax (92.33%) − centroid (80.11%), chosen on validation accuracy.');
  });

  test('other hypotheses carry no such note', () => {
    expect(verdictRows(file([result()]))[0][0]).toBe('H1 a1 beats a0 by more than 3 points');
    expect(findingSentence(result())).not.toContain('Arms compared');
  });
});
