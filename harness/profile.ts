import { StudyDefinitionError } from './errors.ts';
import type { Profile } from './types.ts';

/** The profile of this run: `HYPOTEST_PROFILE` (`registered`, the default, or `quick`). */
export function currentProfile(): Profile {
  const value = process.env.HYPOTEST_PROFILE || 'registered';
  if (value !== 'registered' && value !== 'quick') {
    throw new StudyDefinitionError(`HYPOTEST_PROFILE=${JSON.stringify(value)} is not a profile. Fix: use "registered" (the default; locked studies, sealed splits) or "quick" (small budget, validation only).`);
  }
  return value;
}

/** Strict mode (`HYPOTEST_STRICT=1`): refuted and inconclusive verdicts also fail the run, for CI gating. */
export function strictMode(): boolean {
  const value = process.env.HYPOTEST_STRICT;
  return value === '1' || value === 'true';
}
