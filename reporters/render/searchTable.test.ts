import { describe, expect, test } from 'vitest';
import type { SearchSummary } from '../../harness/search.ts';
import { searchMarkdown } from './searchTable.ts';

const summary: SearchSummary = {
  study: 's', profile: 'registered', trials: 2,
  budget: { epochs: 3, rounds: 60, secondsPerTrial: 120, calibration: { machine: '2-core test machine', date: '2026-11-29', command: 'c', epochs: 3, rounds: 60, secondsPerTrial: { mlp: 17, xgboost: 106 } } },
  arms: [
    {
      arm: 'mlp', family: 'network',
      trials: [
        { trial: 1, seed: 901, sampled: { learningRate: 0.0012345, width: 256 }, status: 'ok', validationAccuracy: 85.214, trainSeconds: 14.25, overBudget: false },
        { trial: 2, seed: 902, sampled: { learningRate: 0.0021, width: 128 }, status: 'diverged', trainSeconds: 130, overBudget: true },
      ],
      chosen: { trial: 1, seed: 901, sampled: { learningRate: 0.0012345, width: 256 }, validationAccuracy: 85.214, config: {} },
    },
    { arm: 'xgboost', family: 'trees', trials: [{ trial: 1, seed: 901, sampled: { maxDepth: 6 }, status: 'missing' }, { trial: 2, seed: 902, sampled: { maxDepth: 4 }, status: 'missing' }], chosen: null, problem: 'trials 1, 2 missing' },
  ],
};

describe('the search section of verdicts.md', () => {
  test('shows the budget, its calibration, every trial and the chosen one', () => {
    // 0.0012345 is stored as 0.00123449999..., so four significant digits give 0.001234.
    const text = searchMarkdown(summary).join('\n');
    expect(text).toContain('## Search');
    expect(text).toContain('Budget per trial: 3 epochs (networks), 60 rounds (trees), at most 120 s on the calibration machine (2-core test machine, 2026-11-29: mlp 17 s, xgboost 106 s).');
    expect(text).toContain('| mlp (network) | 1 | 901 | learningRate=0.001234, width=256 | 85.21% | 14.3 | yes |');
    expect(text).toContain('| mlp (network) | 2 | 902 | learningRate=0.0021, width=128 | diverged | 130.0 (over T) |  |');
    expect(text).toContain('| xgboost (trees) | — | — | nothing chosen: trials 1, 2 missing | | | |');
  });

  test('a study without a search has no section', () => {
    expect(searchMarkdown(undefined)).toEqual([]);
  });
});
