import { relative } from 'node:path';
import { analyseStudy, designSensitivity, summariseStudy, type HypothesisResult, type HypothesisSpec, type SensitivityResult, type StudySummary } from './analysis/index.ts';
import { assertLockHolds, verdictRules, type LockStatus } from './lock.ts';
import { currentProfile, seedsFor } from './profile.ts';
import { studyProvenance, type Provenance } from './provenance.ts';
import { recordLookup } from './recordLookup.ts';
import { loadDatasetOnce } from './seal.ts';
import { sealedOpenings } from './store.ts';
import { hypotestRoot, type Study } from './study.ts';

/** A study judged once under the current profile: the verdicts, the lock they were judged under, the summary. */
export interface StudyVerdicts {
  results: HypothesisResult[];
  /** The lock status read for the registered profile; null for another profile. */
  lock: LockStatus | null;
  summary: StudySummary | null;
  /** The harness commits and backends of the runs beside the lock's (registered profile); null for another profile. */
  provenance: Provenance | null;
}

const judged = new Map<Study, StudyVerdicts>();

/**
 * Judges a study's registered hypotheses from its stored records, once per study and process (every hypothesis
 * test of the study reads the same analysis). The registered profile first passes the strict lock check
 * (`assertLockHolds`): an unlocked study, a corrupt lock, a change without a deviation or a declared cell without its file
 * throws, so nothing is judged or written; then it judges only records made under the lock.
 * A locked study is judged by the verdict rule its lock registered (a lock without one: rule 1) unless a recorded
 * analysis deviation adopted another; then the registered rule's verdict is kept beside wherever they differ.
 * Other profiles judge by the current rule.
 *
 * @example
 * const { results, lock, summary } = studyVerdicts(study, registeredHypotheses)
 */
export function studyVerdicts(study: Study, hypotheses: readonly HypothesisSpec[]): StudyVerdicts {
  const cached = judged.get(study);
  if (cached) return cached;
  const profile = currentProfile();
  const root = hypotestRoot();
  const lock: LockStatus | null = profile === 'registered' ? assertLockHolds(study.directory(root), study.name, { cells: study.cellIds }) : null;
  const lookup = recordLookup(root, study, profile, lock?.lock.hash ?? null);
  const results = analyseStudy(study, hypotheses, lookup, profile, lock ? { verdictRule: verdictRules(lock).adopted, registeredVerdictRule: verdictRules(lock).registered } : {});
  const summary = summariseStudy(study, lookup, profile);
  const provenance = lock ? studyProvenance(study, lookup, profile, lock.lock, study.pilot ? recordLookup(root, study, 'pilot', null) : undefined, auditCounts(root, study.name)) : null;
  const verdicts = { results, lock, summary, provenance };
  judged.set(study, verdicts);
  return verdicts;
}

/** The audit log's openings for the provenance, with file paths relative to the project. */
function auditCounts(root: string, study: string): NonNullable<Provenance['sealedOpenings']> {
  const openings = sealedOpenings(root, study);
  return { ...openings, problems: openings.problems.map((p) => ({ file: relative(root, p.file), line: p.line, kind: p.kind })) };
}

/**
 * The registered design's sensitivity from the study's pilot records (pilot profile; never cached: cheap). Reads the
 * size of the registered test split (its count only; no model is evaluated on it, nothing is handed to experiment
 * code) so that the pilot's MDE includes the binomial noise of one test evaluation.
 *
 * @throws {StudyDefinitionError} when the study declares no pilot.
 * @example
 * (await pilotSensitivity(study, hypotheses)).find((r) => r.id === 'H1')?.assessment
 */
export async function pilotSensitivity(study: Study, hypotheses: readonly HypothesisSpec[]): Promise<SensitivityResult[]> {
  seedsFor(study, 'pilot'); // a study without a pilot: its StudyDefinitionError, before any data is loaded
  const splits = await loadDatasetOnce(study.dataset);
  return designSensitivity(study, hypotheses, recordLookup(hypotestRoot(), study, 'pilot', null), { testExamples: splits.test.count });
}
