import { ConfigurationError, StudyDefinitionError } from './errors.ts';
import type { Study } from './study.ts';
import type { Budget, Profile } from './types.ts';

/**
 * The profile of this run: `HYPOTEST_PROFILE` (`registered`, the default, `quick` or `pilot`).
 *
 * @throws {ConfigurationError} when `HYPOTEST_PROFILE` names no profile.
 */
export function currentProfile(): Profile {
  const value = process.env.HYPOTEST_PROFILE || 'registered';
  if (value !== 'registered' && value !== 'quick' && value !== 'pilot') {
    throw new ConfigurationError(`HYPOTEST_PROFILE=${JSON.stringify(value)} is not a profile. Fix: use "registered" (the default; locked studies, sealed splits), "quick" (small budget, validation only) or "pilot" (registered budget on the study's pilot cells and seeds, validation only).`);
  }
  return value;
}

/** Strict mode (`HYPOTEST_STRICT=1`): refuted and inconclusive verdicts also fail the run, for CI gating. */
export function strictMode(): boolean {
  const value = process.env.HYPOTEST_STRICT;
  return value === '1' || value === 'true';
}

/** The budget a profile trains with: the pilot uses the registered budget (it measures the registered design). */
export function budgetFor(study: Study, profile: Profile): Budget {
  return profile === 'pilot' ? study.budget.registered : study.budget[profile];
}

/** The seeds a profile runs: the study's seeds, or the pilot's own seeds (never the registered ones). */
export function seedsFor(study: Study, profile: Profile): readonly number[] {
  if (profile !== 'pilot') return study.seeds;
  if (!study.pilot) throw new StudyDefinitionError(`study '${study.name}' declares no pilot. Fix: add pilot: { cells: [...], seeds: [...], reason: '...' } to study.ts, or run another profile.`);
  return study.pilot.seeds;
}

/** The cells a profile runs: every cell, or the pilot's cells. */
export function cellsFor(study: Study, profile: Profile): readonly string[] {
  if (profile !== 'pilot') return study.cellIds;
  if (!study.pilot) throw new StudyDefinitionError(`study '${study.name}' declares no pilot. Fix: add pilot: { cells: [...], seeds: [...], reason: '...' } to study.ts, or run another profile.`);
  return study.pilot.cells;
}
