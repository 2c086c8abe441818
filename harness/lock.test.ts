import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AlreadyLockedError, DeviationError, IncompletePreregistrationError, LockFileError, LockMismatchError, UnlockedStudyError } from './errors.ts';
import { errorOf } from '../fixtures/testing.ts';
import {
  readLockStatus, DEVIATIONS_FILE, hashPreregistration, LOCK_FILE, preregistrationFiles, readAnalysisDeviations, readDeviations, readLock, recordAnalysisDeviation,
  recordDeviation, assertLockHolds, verdictRules, writeLock, type PreregLock,
} from './lock.ts';

const hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const dataset = { id: 'fake', fingerprint: 'f'.repeat(64) };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), 'hypotest-lock-'));
  mkdirSync(join(dir, 'cells'));
  writeFileSync(join(dir, 'study.ts'), 'export default {}; // study\n');
  writeFileSync(join(dir, 'hypotheses.exp.ts'), '// hypotheses\n');
  writeFileSync(join(dir, 'cells', 'b.exp.ts'), '// cell b\n');
  writeFileSync(join(dir, 'cells', 'a.exp.ts'), '// cell a\n');
  // Not pre-registration files: never hashed.
  writeFileSync(join(dir, 'README.md'), 'notes\n');
  writeFileSync(join(dir, 'cells', 'helper.ts'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'other.exp.ts'), '// not a cell\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));


describe('preregistrationFiles and hashPreregistration', () => {
  test('are study.ts, hypotheses.exp.ts and the sorted cells/*.exp.ts, nothing else', () => {
    expect(preregistrationFiles(dir)).toEqual(['study.ts', 'hypotheses.exp.ts', 'cells/a.exp.ts', 'cells/b.exp.ts']);
  });

  test('hash the exact bytes of each file with sha256', () => {
    expect(hashPreregistration(dir)).toEqual({
      'study.ts': hex('export default {}; // study\n'),
      'hypotheses.exp.ts': hex('// hypotheses\n'),
      'cells/a.exp.ts': hex('// cell a\n'),
      'cells/b.exp.ts': hex('// cell b\n'),
    });
  });

  test('a folder without cells has only the top-level files', () => {
    rmSync(join(dir, 'cells'), { recursive: true });
    expect(preregistrationFiles(dir)).toEqual(['study.ts', 'hypotheses.exp.ts']);
  });
});

describe('writeLock', () => {
  test('records the file hashes, the combined hash over the sorted file list, dataset, time and version', () => {
    const before = Date.now();
    const lock = writeLock(dir, 'unit', dataset);
    const files = hashPreregistration(dir);
    expect(lock.schemaVersion).toBe(2);
    expect(lock.harnessCommit === null || /^[0-9a-f]{40}$/.test(lock.harnessCommit!)).toBe(true);
    expect(lock.study).toBe('unit');
    expect(lock.files).toEqual(files);
    // Independent: JSON of the file map with keys sorted, then sha256.
    const sorted = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k]]));
    expect(lock.hash).toBe(hex(JSON.stringify(sorted)));
    expect(lock.dataset).toEqual(dataset);
    expect(Date.parse(lock.lockedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(lock.lockedAt)).toBeLessThanOrEqual(Date.now());
    expect(lock.harnessVersion).toBe('0.1.0');
    expect(lock.gitCommit === null || /^[0-9a-f]{40}$/.test(lock.gitCommit)).toBe(true);
    const onDisk = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(onDisk).toEqual(lock);
    expect(readLock(dir)).toEqual(lock);
  });

  test('the combined hash does not depend on the order the files were listed in', () => {
    const lock = writeLock(dir, 'unit', dataset);
    const reordered: PreregLock = { ...lock, files: Object.fromEntries(Object.entries(lock.files).reverse()) };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(reordered));
    expect(readLock(dir)?.hash).toBe(lock.hash);
  });

  test('refuses to replace a lock: a relock is a deviation', () => {
    writeLock(dir, 'unit', dataset);
    const original = readFileSync(join(dir, LOCK_FILE), 'utf8');
    const error = errorOf(() => writeLock(dir, 'unit', dataset));
    expect(error).toBeInstanceOf(AlreadyLockedError);
    expect(error.message).toBe(
      `study 'unit' is already locked (${join(dir, LOCK_FILE)}). Fix: record changes with \`npx hypotest deviate unit ...\` instead of relocking.`,
    );
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(original);
  });

  test.each([
    ['study.ts', "study 'unit' has no study.ts. Fix: write it before locking."],
    ['hypotheses.exp.ts', "study 'unit' has no hypotheses.exp.ts. Fix: write it before locking."],
  ])('refuses a study without %s', (file, message) => {
    rmSync(join(dir, file));
    const error = errorOf(() => writeLock(dir, 'unit', dataset));
    expect(error).toBeInstanceOf(IncompletePreregistrationError);
    expect(error.message).toBe(message);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test('refuses a study without cell files', () => {
    rmSync(join(dir, 'cells', 'a.exp.ts'));
    rmSync(join(dir, 'cells', 'b.exp.ts'));
    const error = errorOf(() => writeLock(dir, 'unit', dataset));
    expect(error).toBeInstanceOf(IncompletePreregistrationError);
    expect(error.message).toBe("study 'unit' has no cells/*.exp.ts. Fix: write one cell file per cell before locking.");
  });
});

describe('readLock', () => {
  test('is null when the study is not locked', () => {
    expect(readLock(dir)).toBeNull();
  });

  test('rejects a lock that is not JSON, and says to restore it from git', () => {
    writeFileSync(join(dir, LOCK_FILE), '{ "schemaVersion": 1, ');
    const error = errorOf(() => readLock(dir));
    expect(error).toBeInstanceOf(LockFileError);
    expect(error.message).toMatch(/prereg\.lock\.json is not valid JSON \(.+\)\. Fix: restore it from git \(git checkout -- prereg\.lock\.json\); never edit a lock by hand\.$/);
  });

  test.each([
    ['another schema', { schemaVersion: 3, hash: 'x', files: {} }],
    ['no hash', { schemaVersion: 1, files: {} }],
    ['no files', { schemaVersion: 1, hash: 'x' }],
    ['JSON null', null],
  ])('rejects %s as not a hypotest lock', (_name, content) => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(content));
    const error = errorOf(() => readLock(dir));
    expect(error).toBeInstanceOf(LockFileError);
    expect(error.message).toContain('is not a hypotest lock (schemaVersion 1 or 2 with hash and files). Fix: restore it from git');
  });

  test('detects a lock edited by hand (file hash changed to match an edit)', () => {
    const lock = writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'study.ts'), '// edit\n');
    const forged = { ...lock, files: hashPreregistration(dir) };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(forged));
    const error = errorOf(() => readLock(dir));
    expect(error).toBeInstanceOf(LockFileError);
    expect(error.message).toContain('its hash does not match its file list, so the lock was edited by hand. Fix: restore it from git.');
  });
});

describe('readLockStatus and assertLockHolds', () => {
  test('an unlocked study: UnlockedStudyError that says how to lock or run quick', () => {
    const error = errorOf(() => readLockStatus(dir, 'unit'));
    expect(error).toBeInstanceOf(UnlockedStudyError);
    expect(error.message).toContain(`study 'unit' is not locked (no ${join(dir, LOCK_FILE)})`);
    expect(error.message).toContain('Fix: lock it with `npx hypotest lock unit` and commit the lock on its own');
    expect(error.message).toContain('`HYPOTEST_PROFILE=quick npx vitest run experiments`');
    expect(() => assertLockHolds(dir, 'unit')).toThrow(UnlockedStudyError);
  });

  test('unchanged files: ok, no changes; edits to other files do not count', () => {
    const lock = writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'README.md'), 'more notes\n');
    appendFileSync(join(dir, 'cells', 'helper.ts'), '// helper\n');
    const check = assertLockHolds(dir, 'unit');
    expect(check).toEqual({ lock, deviations: [], analysisDeviations: [], changes: [], ok: true });
  });

  test('a changed, an added and a removed file are each reported, and assertLockHolds lists them all', () => {
    const lock = writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'hypotheses.exp.ts'), '// edited\n');
    writeFileSync(join(dir, 'cells', 'c.exp.ts'), '// cell c\n');
    rmSync(join(dir, 'cells', 'a.exp.ts'));
    const check = readLockStatus(dir, 'unit');
    expect(check.ok).toBe(false);
    expect(check.lock).toEqual(lock);
    expect(check.changes).toEqual([
      { file: 'cells/a.exp.ts', kind: 'removed', current: null, deviation: undefined },
      { file: 'cells/c.exp.ts', kind: 'added', current: hex('// cell c\n'), deviation: undefined },
      { file: 'hypotheses.exp.ts', kind: 'changed', current: hex('// hypotheses\n// edited\n'), deviation: undefined },
    ]);
    const error = errorOf(() => assertLockHolds(dir, 'unit'));
    expect(error).toBeInstanceOf(LockMismatchError);
    expect(error.message).toBe(
      "study 'unit' changed after its lock without a recorded deviation: cells/a.exp.ts (removed), cells/c.exp.ts (added), hypotheses.exp.ts (changed). " +
        'Fix: undo the edit (git checkout -- <file>), or record it with `npx hypotest deviate unit --file <file> --what "..." --why "..."` (it is shown in every report).',
    );
  });

  test('undoing an edit restores the lock', () => {
    writeLock(dir, 'unit', dataset);
    const original = readFileSync(join(dir, 'study.ts'));
    appendFileSync(join(dir, 'study.ts'), '// edit\n');
    expect(readLockStatus(dir, 'unit').ok).toBe(false);
    writeFileSync(join(dir, 'study.ts'), original);
    expect(readLockStatus(dir, 'unit')).toMatchObject({ ok: true, changes: [] });
  });

  test('a recorded deviation covers exactly the content it was recorded for; a later edit needs a new one', () => {
    writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'hypotheses.exp.ts'), '// first edit\n');
    const first = recordDeviation(dir, { file: 'hypotheses.exp.ts', what: 'clarified H1', why: 'typo' });
    expect(first).toMatchObject({ file: 'hypotheses.exp.ts', sha256: hex('// hypotheses\n// first edit\n'), what: 'clarified H1', why: 'typo' });
    expect(Date.parse(first.when)).not.toBeNaN();
    const covered = assertLockHolds(dir, 'unit');
    expect(covered.ok).toBe(true);
    expect(covered.deviations).toEqual([first]);
    expect(covered.changes).toEqual([{ file: 'hypotheses.exp.ts', kind: 'changed', current: first.sha256, deviation: first }]);

    appendFileSync(join(dir, 'hypotheses.exp.ts'), '// second edit\n');
    expect(readLockStatus(dir, 'unit').ok).toBe(false);
    expect(() => assertLockHolds(dir, 'unit')).toThrow(/hypotheses\.exp\.ts \(changed\)/);
    const second = recordDeviation(dir, { file: 'hypotheses.exp.ts', what: 'changed H2', why: 'reviewer' });
    expect(readLockStatus(dir, 'unit').changes[0].deviation).toEqual(second);

    // Back to the first edit's content: the first deviation covers it again.
    writeFileSync(join(dir, 'hypotheses.exp.ts'), '// hypotheses\n// first edit\n');
    expect(readLockStatus(dir, 'unit').changes[0].deviation).toEqual(first);
  });

  test('when two deviations match the same content, the latest is reported', () => {
    writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'study.ts'), '// edit\n');
    recordDeviation(dir, { file: 'study.ts', what: 'first', why: 'a' });
    const later = recordDeviation(dir, { file: 'study.ts', what: 'second', why: 'b' });
    expect(readLockStatus(dir, 'unit').changes[0].deviation).toEqual(later);
    expect(readDeviations(dir)).toHaveLength(2);
  });

  test('a removed file is covered by a deviation recorded after the removal (sha256 "removed")', () => {
    writeLock(dir, 'unit', dataset);
    rmSync(join(dir, 'cells', 'b.exp.ts'));
    const deviation = recordDeviation(dir, { file: 'cells/b.exp.ts', what: 'dropped cell b', why: 'cannot run' });
    expect(deviation.sha256).toBe('removed');
    expect(assertLockHolds(dir, 'unit').changes).toEqual([{ file: 'cells/b.exp.ts', kind: 'removed', current: null, deviation }]);
  });

  test('a deviation for another file does not cover a change', () => {
    writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'study.ts'), '// edit\n');
    recordDeviation(dir, { file: 'hypotheses.exp.ts', what: 'nothing', why: 'mistake' });
    expect(() => assertLockHolds(dir, 'unit')).toThrow(/without a recorded deviation: study\.ts \(changed\)/);
  });
});

describe('deviations.json', () => {
  test('absent: no deviations', () => {
    expect(readDeviations(dir)).toEqual([]);
  });

  test('recordDeviation writes { deviations: [...] } with file, sha256, what, why and when', () => {
    const deviation = recordDeviation(dir, { file: 'study.ts', what: 'w', why: 'y' });
    expect(JSON.parse(readFileSync(join(dir, DEVIATIONS_FILE), 'utf8'))).toEqual({ deviations: [deviation] });
    expect(deviation.sha256).toBe(hex('export default {}; // study\n'));
  });

  test.each([
    ['what', { file: 'study.ts', what: ' ', why: 'y' }],
    ['why', { file: 'study.ts', what: 'w', why: '' }],
  ])('recordDeviation needs %s and writes nothing without it', (_field, entry) => {
    const error = errorOf(() => recordDeviation(dir, entry));
    expect(error).toBeInstanceOf(DeviationError);
    expect(error.message).toBe('a deviation needs --what and --why. Fix: say what changed and why.');
    expect(existsSync(join(dir, DEVIATIONS_FILE))).toBe(false);
  });

  test('invalid JSON names the file and how to fix it', () => {
    writeFileSync(join(dir, DEVIATIONS_FILE), '{ "deviations": [');
    const error = errorOf(() => readDeviations(dir));
    expect(error).toBeInstanceOf(DeviationError);
    expect(error.message).toMatch(/deviations\.json is not valid JSON \(.+\)\. Fix: correct the syntax; add entries with `npx hypotest deviate`\.$/);
  });

  test.each([
    ['a bare list', []],
    ['deviations not a list', { deviations: {} }],
    ['JSON null', null],
  ])('rejects %s: must be { "deviations": [ ... ] }', (_name, content) => {
    writeFileSync(join(dir, DEVIATIONS_FILE), JSON.stringify(content));
    const error = errorOf(() => readDeviations(dir));
    expect(error).toBeInstanceOf(DeviationError);
    expect(error.message).toContain('must be { "deviations": [ ... ] }. Fix: add entries with `npx hypotest deviate <study> --file F --what ... --why ...`.');
  });

  test('an entry without a field names the entry and the field', () => {
    const good = { file: 'study.ts', sha256: 'abc', what: 'w', why: 'y', when: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, DEVIATIONS_FILE), JSON.stringify({ deviations: [good, { ...good, why: '' }] }));
    const error = errorOf(() => readDeviations(dir));
    expect(error).toBeInstanceOf(DeviationError);
    expect(error.message).toContain('deviation 1 has no "why". Fix: every deviation records file, sha256, what, why and when');
    writeFileSync(join(dir, DEVIATIONS_FILE), JSON.stringify({ deviations: [null] }));
    expect(errorOf(() => readDeviations(dir)).message).toContain('deviation 0 has no "file"');
  });

  test('a malformed deviations.json stops readLockStatus too', () => {
    writeLock(dir, 'unit', dataset);
    writeFileSync(join(dir, DEVIATIONS_FILE), '[]');
    expect(() => readLockStatus(dir, 'unit')).toThrow(DeviationError);
  });
});

describe('verdict rules and analysis deviations (issue 11)', () => {
  test('a new lock records the current verdict rule (2); a lock without one means rule 1', () => {
    const lock = writeLock(dir, 'unit', dataset);
    expect(lock.verdictRule).toBe(2);
    expect(verdictRules(readLockStatus(dir, 'unit'))).toEqual({ registered: 2, adopted: 2 });
    const { verdictRule: _dropped, ...old } = lock;
    expect(verdictRules({ lock: old as PreregLock, analysisDeviations: [] })).toEqual({ registered: 1, adopted: 1 });
  });

  test('an analysis deviation adopts the current rule, keeps file deviations, needs no file and leaves the lock holding', () => {
    writeLock(dir, 'unit', dataset);
    appendFileSync(join(dir, 'study.ts'), '// edited\n');
    const file = recordDeviation(dir, { file: 'study.ts', what: 'w', why: 'y' });
    const analysis = recordAnalysisDeviation(dir, { what: 'verdicts by rule 2', why: 'minimum-effect testing' });
    expect(analysis).toMatchObject({ kind: 'analysis', verdictRule: 2, what: 'verdicts by rule 2', why: 'minimum-effect testing' });
    expect(JSON.parse(readFileSync(join(dir, DEVIATIONS_FILE), 'utf8'))).toEqual({ deviations: [file, analysis] });
    // A later file deviation keeps the analysis deviation.
    const again = recordDeviation(dir, { file: 'study.ts', what: 'w2', why: 'y2' });
    expect(readDeviations(dir)).toEqual([file, again]);
    expect(readAnalysisDeviations(dir)).toEqual([analysis]);
    const status = assertLockHolds(dir, 'unit');
    expect(status.analysisDeviations).toEqual([analysis]);
    const { verdictRule: _dropped, ...old } = status.lock;
    expect(verdictRules({ lock: old as PreregLock, analysisDeviations: status.analysisDeviations })).toEqual({ registered: 1, adopted: 2 });
    // The latest deviation that sets a rule decides; one that sets none (null) does not change it.
    const back = recordAnalysisDeviation(dir, { what: 'back to rule 1', why: 'test', verdictRule: 1 });
    const none = recordAnalysisDeviation(dir, { what: 'another analysis change', why: 'test', verdictRule: null });
    expect(verdictRules({ lock: old as PreregLock, analysisDeviations: [analysis, back, none] })).toEqual({ registered: 1, adopted: 1 });
  });

  test('an analysis deviation needs what and why; a malformed one names the entry and the field', () => {
    expect(() => recordAnalysisDeviation(dir, { what: ' ', why: 'y' })).toThrow(/an analysis deviation needs --what and --why/);
    expect(() => recordAnalysisDeviation(dir, { what: 'w', why: 'y', verdictRule: 3 as 2 })).toThrow(/verdict rule 3 is unknown/);
    expect(existsSync(join(dir, DEVIATIONS_FILE))).toBe(false);
    writeFileSync(join(dir, DEVIATIONS_FILE), JSON.stringify({ deviations: [{ kind: 'analysis', verdictRule: 2, what: 'w', why: '', when: 't' }] }));
    expect(() => readDeviations(dir)).toThrow(/analysis deviation 0 has no "why"/);
    writeFileSync(join(dir, DEVIATIONS_FILE), JSON.stringify({ deviations: [{ kind: 'analysis', verdictRule: 7, what: 'w', why: 'y', when: 't' }] }));
    expect(() => readAnalysisDeviations(dir)).toThrow(DeviationError);
  });
});

