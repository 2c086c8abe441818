import { describe, expect, test } from 'vitest';
import { contrast } from './analysis/index.ts';
import { StudyDefinitionError } from './errors.ts';
import { pilotSensitivity } from './studyVerdicts.ts';
import { hypothesis, twoByTwo } from '../fixtures/analysis.ts';

describe('pilotSensitivity', () => {
  test('a study without a pilot block gets its StudyDefinitionError, not a TypeError from the hypotheses file (issue 11, fault 4)', async () => {
    const study = twoByTwo();
    const specs = [hypothesis('A', contrast({ a: { a1: 1, a0: -1 } }), 'greater', 3)];
    await expect(pilotSensitivity(study, specs)).rejects.toThrow(StudyDefinitionError);
    await expect(pilotSensitivity(study, specs)).rejects.toThrow("study 'unit' declares no pilot. Fix: add pilot: { cells: [...], seeds: [...], reason: '...' } to study.ts, or run another profile.");
  });
});
