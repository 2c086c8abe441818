import type { PreregLock } from './lock.ts';
import { cellsFor, seedsFor } from './profile.ts';
import type { RecordLookup, SealedOpenings } from './store.ts';
import type { Study } from './study.ts';
import type { Profile } from './types.ts';

/**
 * What a report discloses beside its verdicts (JSON-safe, in `verdicts.json` under `study.provenance`): the harness
 * commit and version at the lock, the harness commits, versions and backends of the runs judged, and whether git showed
 * the lock committed before the sealed splits were opened.
 */
export interface Provenance {
  lock: { schemaVersion: number; harnessVersion: string; harnessCommit: string | null; projectCommit: string | null; projectDirty: boolean | null };
  runs: {
    count: number;
    /** Harness commits the runs recorded (record version 2); empty when every run predates the field. */
    harnessCommits: string[];
    /** Project commits the runs recorded (`environment.gitCommit`; for a study inside the harness's repository, also the harness commit). */
    projectCommits: string[];
    harnessVersions: string[];
    backends: string[];
  };
  /** The pilot's runs (validation only, made before the lock), when the study has a pilot: the backends the design was sized on. */
  pilot: { count: number; backends: string[]; harnessVersions: string[] } | null;
  /** `verified`: every run recorded the lock committed before its sealed opening; `unverifiable`: some ran outside git; `not recorded`: some records predate the check (version 1). */
  order: 'verified' | 'unverifiable' | 'not recorded' | 'no runs';
  /**
   * The audit log's count of sealed openings, present when there is something to disclose (absent when every split was
   * opened once and every audit line is intact, so such a study's verdict file is unchanged): every (cell, seed,
   * split) opened more than once (a run that opened a sealed split and died before its record, then ran again, or an
   * explicit rerun), and every damaged line with its file (relative to the project) and line. Repeats are never hidden.
   */
  sealedOpenings?: { entries: number; opened: number; repeated: SealedOpenings['repeated']; problems: { file: string; line: number; kind: string }[] };
  /** One sentence for a report, e.g. "Lock: harness 0.1.0 at …; runs: harness …, backend fast-cpu (the lock recorded no backend); order …". */
  line: string;
}

const short = (commit: string) => commit.slice(0, 10);
const distinct = (values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))].sort();

/**
 * The provenance of a study's judged runs beside its lock's (see {@link Provenance}).
 *
 * @example
 * studyProvenance(study, recordLookup(root, study, 'registered', lock.hash), 'registered', lock).line
 */
export function studyProvenance(study: Study, lookup: RecordLookup, profile: Profile, lock: PreregLock, pilotLookup?: RecordLookup, openings?: Provenance['sealedOpenings']): Provenance {
  const records = cellsFor(study, profile).flatMap((cell) => seedsFor(study, profile).map((seed) => lookup(cell, seed))).filter((r) => r !== null);
  const runs = {
    count: records.length,
    harnessCommits: distinct(records.map((r) => r.environment.harnessCommit)),
    projectCommits: distinct(records.map((r) => r.environment.gitCommit)),
    harnessVersions: distinct(records.map((r) => r.environment.harnessVersion)),
    backends: distinct(records.map((r) => r.environment.backend)),
  };
  const pilotRecords = study.pilot && pilotLookup
    ? study.pilot.cells.flatMap((cell) => study.pilot!.seeds.map((seed) => pilotLookup(cell, seed))).filter((r) => r !== null)
    : [];
  const pilot = pilotRecords.length === 0 ? null : {
    count: pilotRecords.length,
    backends: distinct(pilotRecords.map((r) => r.environment.backend)),
    harnessVersions: distinct(pilotRecords.map((r) => r.environment.harnessVersion)),
  };
  const states = records.map((r) => (r.lockOrder ? r.lockOrder.state : 'not recorded'));
  const order: Provenance['order'] = records.length === 0 ? 'no runs'
    : states.includes('unverifiable') ? 'unverifiable'
    : states.includes('not recorded') ? 'not recorded'
    : 'verified';
  const lockPart = `Lock (format ${lock.schemaVersion}): harness ${lock.harnessVersion}` +
    (lock.harnessCommit ? ` at commit ${short(lock.harnessCommit)}` : ', harness commit not recorded') +
    (lock.gitCommit ? `, project commit ${short(lock.gitCommit)}${lock.gitDirty ? ' (uncommitted changes present)' : ''}` : ', outside git') +
    '; no backend is fixed by the lock' +
    (pilot ? ` (the pilot before it ran on ${pilot.backends.join(', ')})` : '') + '.';
  const runPart = records.length === 0 ? ' Runs: none.'
    : ` Runs (${records.length}): harness ${runs.harnessVersions.join(', ')}` +
      (runs.harnessCommits.length ? ` at commit${runs.harnessCommits.length > 1 ? 's' : ''} ${runs.harnessCommits.map(short).join(', ')}` : '') +
      (runs.projectCommits.length ? `, project commit${runs.projectCommits.length > 1 ? 's' : ''} ${runs.projectCommits.map(short).join(', ')}` : '') +
      `, backend${runs.backends.length > 1 ? 's' : ''} ${runs.backends.join(', ')}.`;
  const orderPart = {
    verified: ' Order: git showed the lock committed before every sealed opening.',
    unverifiable: ' Order unverifiable: some runs were made outside git, so nothing shows the lock came before their sealed openings.',
    'not recorded': ' Order: not recorded by these runs (written before hypotest checked it; see the lock commit and the audit log).',
    'no runs': '',
  }[order];
  return {
    lock: { schemaVersion: lock.schemaVersion, harnessVersion: lock.harnessVersion, harnessCommit: lock.harnessCommit ?? null, projectCommit: lock.gitCommit, projectDirty: lock.gitDirty },
    runs, pilot, order, ...(openings && (openings.repeated.length > 0 || openings.problems.length > 0) ? { sealedOpenings: openings } : {}), line: lockPart + runPart + orderPart + (openings ? sealedOpeningsSentence(openings) : ''),
  };
}

/**
 * The sentence a report adds about the audit log, when there is something to say: sealed splits opened more than once,
 * and damaged lines with file and line; '' when every split was opened once and every line is intact.
 *
 * @example
 * sealedOpeningsSentence({ entries: 3, opened: 2, repeated: [{ cell: 'a0-b0', seed: 1, split: 'test', openings: 2 }], problems: [] })
 * // ' Sealed splits opened more than once (...): a0-b0 seed 1 test (2 openings); ...'
 */
export function sealedOpeningsSentence(openings: NonNullable<Provenance['sealedOpenings']>): string {
  let text = '';
  if (openings.repeated.length > 0) {
    text += ` Sealed splits opened more than once (a run opened it and died before its record was written, then ran again; or an explicit rerun): ` +
      `${openings.repeated.map((r) => `${r.cell} seed ${r.seed} ${r.split} (${r.openings} openings)`).join(', ')}; ${openings.entries} openings of ${openings.opened} splits in all, each in the audit log.`;
  }
  if (openings.problems.length > 0) {
    text += ` Damaged audit lines: ${openings.problems.map((p) => `${p.file}:${p.line} (${p.kind === 'torn-marked' ? 'torn by a crash, marked' : p.kind})`).join(', ')}; every complete entry is read.`;
  }
  return text;
}
