/**
 * The run store (harness/store.ts) and the helpers it is built on (harness/util.ts: canonicalJson,
 * sha256, writeFileAtomic).
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CorruptRecordError, RunRecordError } from './errors.ts';
import {
  appendAudit, auditPath, readAudit, readAuditLog, readRecord, recordChecksum, sealedOpenings, recordPath, resultsDirectory, runKey, runKeyVersion1, writeRecord, type AuditEntry, type RunRecord,
} from './store.ts';
import { writeFileAtomic } from './atomicFile.ts';
import { canonicalJson, sha256 } from './util.ts';
import { errorOf } from '../fixtures/testing.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(os.tmpdir(), 'hypotest-store-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});


const parts = {
  lockHash: 'a'.repeat(64),
  cellFiles: 'c'.repeat(64),
  config: { depth: 4, activation: 'gelu', weightDecay: 1e-4 },
  budget: { epochs: 10, batchSize: 128 },
  seed: 2,
  profile: 'registered' as const,
  dataset: canonicalJson({ id: 'fake', params: { size: 1 } }),
};

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 2,
    key: runKey(parts),
    study: 'unit',
    cell: 'd4-gelu',
    seed: 2,
    profile: 'registered',
    lockHash: parts.lockHash,
    config: parts.config,
    budget: parts.budget,
    status: 'ok',
    metrics: { validation: { accuracy: 80, nll: 0.5 }, test: { accuracy: 79, nll: 0.55 } },
    predictions: {},
    numClasses: 10,
    modelFingerprint: 'b'.repeat(64),
    curve: [{ epoch: 1, trainLoss: 0.9 }],
    timings: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', trainSeconds: 55, evaluateSeconds: 5 },
    environment: { node: 'v20', platform: 'linux-x64', cpu: 'cpu', cores: 2, backend: 'wasm', harnessVersion: '0.1.0', gitCommit: null, gitDirty: null },
    ...overrides,
  };
}

describe('canonicalJson (harness/util.ts)', () => {
  test('sorts keys at every level, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(canonicalJson([{ y: 1, x: 2 }, 3, 'z'])).toBe('[{"x":2,"y":1},3,"z"]');
    expect(canonicalJson({ b: undefined, a: null })).toBe('{"a":null}');
  });

  test('keeps a member named "__proto__" (parsed JSON may have one), so two different values never collide', () => {
    const withProto = JSON.parse('{"b":2,"__proto__":{"a":1}}');
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"a":1},"b":2}');
    expect(canonicalJson(withProto)).not.toBe(canonicalJson({ b: 2 }));
  });

  const json = fc.jsonValue();
  /** The same value with the keys of every object listed in reverse. */
  const reversed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reversed);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  };

  test('is invariant to key order, and parses back to an equal value (fast-check seed 31)', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reversed(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 31, numRuns: 300 },
    );
  });

  test('distinguishes different values (fast-check seed 32)', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(JSON.stringify(JSON.parse(canonicalJson(a))) !== JSON.stringify(JSON.parse(canonicalJson(b))));
        expect(canonicalJson(a)).not.toBe(canonicalJson(b));
      }),
      { seed: 32, numRuns: 300 },
    );
  });
});

describe('sha256 and writeFileAtomic (harness/util.ts)', () => {
  test('sha256 of the empty string and of "abc" (FIPS 180-2 test vectors)', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256('abc'));
  });

  test('creates the folders, writes the contents, leaves no temporary file', () => {
    const path = join(root, 'a', 'b', 'file.json');
    expect(writeFileAtomic(path, 'one')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('one');
    expect(writeFileAtomic(path, 'two')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['file.json']);
  });

  test('exclusive: refuses to replace an existing file and returns false', () => {
    const path = join(root, 'lock.json');
    expect(writeFileAtomic(path, 'first', { exclusive: true })).toBe(true);
    expect(writeFileAtomic(path, 'second', { exclusive: true })).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(root)).toEqual(['lock.json']);
  });
});

describe('runKey', () => {
  const hex = (length: { minLength: number; maxLength: number }) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), ...length });
  test('is the sha256 of the canonical JSON of its seven parts; version 1 is the same without the cell files', () => {
    const text = JSON.stringify({
      budget: { batchSize: 128, epochs: 10 },
      cellFiles: parts.cellFiles,
      config: { activation: 'gelu', depth: 4, weightDecay: 1e-4 },
      dataset: parts.dataset,
      lockHash: parts.lockHash,
      profile: 'registered',
      seed: 2,
    });
    expect(runKey(parts)).toBe(createHash('sha256').update(text).digest('hex'));
    const { cellFiles: _dropped, ...six } = JSON.parse(text);
    expect(runKeyVersion1(parts)).toBe(createHash('sha256').update(JSON.stringify(six)).digest('hex'));
  });

  const keyParts = fc.record({
    lockHash: fc.option(hex({ minLength: 64, maxLength: 64 }), { nil: null }),
    cellFiles: hex({ minLength: 64, maxLength: 64 }),
    config: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.integer(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxKeys: 5 }),
    budget: fc.record({ epochs: fc.integer({ min: 1, max: 100 }), batchSize: fc.integer({ min: 1, max: 512 }) }),
    seed: fc.nat(),
    profile: fc.constantFrom('registered' as const, 'quick' as const),
    dataset: fc.string(),
  });

  test('changes when any one key part changes (fast-check seed 33)', () => {
    const change = fc.constantFrom('lockHash', 'cellFiles', 'config', 'budget', 'seed', 'profile', 'dataset');
    fc.assert(
      fc.property(keyParts, change, (p, which) => {
        const altered = { ...p };
        if (which === 'lockHash') altered.lockHash = p.lockHash === null ? 'c'.repeat(64) : null;
        if (which === 'cellFiles') altered.cellFiles = `${p.cellFiles}0`;
        if (which === 'config') altered.config = { ...p.config, __extra: 1 };
        if (which === 'budget') altered.budget = { ...p.budget, epochs: p.budget.epochs + 1 };
        if (which === 'seed') altered.seed = p.seed + 1;
        if (which === 'profile') altered.profile = p.profile === 'quick' ? 'registered' : 'quick';
        if (which === 'dataset') altered.dataset = `${p.dataset}x`;
        expect(runKey(altered)).not.toBe(runKey(p));
      }),
      { seed: 33, numRuns: 300 },
    );
  });

  test('does not change with the order of config keys, nor with provenance (harness version, backend) passed alongside (fast-check seed 34)', () => {
    const provenance = fc.record({ harnessVersion: fc.string(), backend: fc.constantFrom('wasm', 'cpu', 'node', 'node-gpu'), gitCommit: hex({ minLength: 40, maxLength: 40 }) });
    fc.assert(
      fc.property(keyParts, provenance, (p, extra) => {
        const key = runKey(p);
        const reordered = { ...p, config: Object.fromEntries(Object.entries(p.config).reverse()) };
        expect(runKey(reordered)).toBe(key);
        // A caller handing over a wider object (e.g. spread from a record with its environment) gets the same key.
        const wider: Parameters<typeof runKey>[0] = { ...p, ...extra };
        expect(runKey(wider)).toBe(key);
      }),
      { seed: 34, numRuns: 200 },
    );
  });
});

describe('record paths', () => {
  test('registered records live under results/<study>, quick ones apart under results/.quick/<study>', () => {
    expect(resultsDirectory('/r', 'ablation', 'registered')).toBe('/r/results/ablation');
    expect(resultsDirectory('/r', 'ablation', 'quick')).toBe('/r/results/.quick/ablation');
    expect(recordPath('/r', 'ablation', 'registered', 'd2-relu-wd0', 3)).toBe('/r/results/ablation/d2-relu-wd0/seed-3.json');
    expect(recordPath('/r', 'ablation', 'quick', 'd2-relu-wd0', 3)).toBe('/r/results/.quick/ablation/d2-relu-wd0/seed-3.json');
    expect(auditPath('/r', 'ablation')).toBe('/r/results/ablation/audit.jsonl');
  });
});

describe('readRecord and writeRecord', () => {
  const path = () => recordPath(root, 'unit', 'registered', 'd4-gelu', 2);
  /** A record as stored: with its checksum. */
  const sealed = (r: RunRecord): RunRecord => ({ ...r, checksum: recordChecksum(r) });

  test('an absent record reads as null', () => {
    expect(readRecord(path())).toBeNull();
  });

  test('a written record reads back equal, as one JSON line, with no archive', () => {
    const r = record();
    expect(writeRecord(path(), r)).toEqual({ archived: null });
    expect(readRecord(path())).toEqual(sealed(r));
    const text = readFileSync(path(), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(readdirSync(join(root, 'results', 'unit', 'd4-gelu'))).toEqual(['seed-2.json']);
  });

  test('a record with the same key is never recomputed: the second write is refused and the first kept', () => {
    const first = record();
    writeRecord(path(), first);
    // Same key, different provenance and metrics: still refused.
    const second = record({ environment: { ...first.environment, harnessVersion: '9.9.9', backend: 'node-gpu' }, metrics: { test: { accuracy: 99, nll: 0.1 } } });
    const error = errorOf(() => writeRecord(path(), second));
    expect(error).toBeInstanceOf(RunRecordError);
    expect(error.message).toBe(
      `run record ${path()} already exists with the same key. A finished run is never recomputed. Fix: move it aside on purpose to rerun it.`,
    );
    expect(readRecord(path())).toEqual(sealed(first));
    expect(existsSync(join(root, 'results', 'unit', 'd4-gelu', 'archive'))).toBe(false);
  });

  test('a record with another key is moved to archive/ (named by seed, old key prefix and time), never overwritten', () => {
    const first = record();
    writeRecord(path(), first);
    const second = record({ key: runKey({ ...parts, budget: { epochs: 20, batchSize: 128 } }), budget: { epochs: 20, batchSize: 128 } });
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const { archived } = writeRecord(path(), second);
    const expected = join(root, 'results', 'unit', 'd4-gelu', 'archive', `seed-2.${first.key.slice(0, 12)}.1700000000000.json`);
    expect(archived).toBe(expected);
    expect(JSON.parse(readFileSync(expected, 'utf8'))).toEqual(sealed(first));
    expect(readRecord(path())).toEqual(sealed(second));
  });

  test('archiving twice in the same millisecond keeps both old records', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const a = record();
    const b = record({ key: 'b'.repeat(64) });
    writeRecord(path(), a);
    writeRecord(path(), b); // archives a
    writeRecord(path(), a); // archives b
    writeRecord(path(), b); // archives a again: same name as the first archive
    const archive = join(root, 'results', 'unit', 'd4-gelu', 'archive');
    const kept = readdirSync(archive).map((name) => JSON.parse(readFileSync(join(archive, name), 'utf8')).key).sort();
    expect(kept).toEqual([a.key, a.key, b.key].sort());
    expect(readRecord(path())?.key).toBe(b.key);
  });

  test('an unreadable record in the way is archived as "unreadable", not lost', () => {
    mkdirSync(join(root, 'results', 'unit', 'd4-gelu'), { recursive: true });
    writeFileSync(path(), '{ truncated');
    const { archived } = writeRecord(path(), record());
    expect(archived).toMatch(/archive\/seed-2\.unreadable\.\d+\.json$/);
    expect(readFileSync(archived!, 'utf8')).toBe('{ truncated');
    expect(readRecord(path())?.key).toBe(runKey(parts));
  });

  test('readRecord rejects invalid JSON and another schema version, saying what to do', () => {
    mkdirSync(join(root, 'results', 'unit', 'd4-gelu'), { recursive: true });
    writeFileSync(path(), '{ truncated');
    let error = errorOf(() => readRecord(path()));
    expect(error).toBeInstanceOf(RunRecordError);
    expect(error.message).toMatch(/^run record .*seed-2\.json is not valid JSON \(.+\)\. Fix: restore it from git, or move it aside to rerun that run \(it is never overwritten automatically\)\.$/);
    writeFileSync(path(), JSON.stringify({ ...record(), schemaVersion: 3 }));
    error = errorOf(() => readRecord(path()));
    expect(error).toBeInstanceOf(RunRecordError);
    expect(error.message).toBe(`run record ${path()} has schemaVersion 3, this harness reads 1 and 2. Fix: use the hypotest version that wrote it.`);
    writeFileSync(path(), JSON.stringify({ ...record(), schemaVersion: 1 }));
    expect(readRecord(path())?.schemaVersion).toBe(1);
    writeFileSync(path(), 'null');
    error = errorOf(() => readRecord(path()));
    expect(error).toBeInstanceOf(RunRecordError);
    expect(error.message).toContain('has schemaVersion undefined, this harness reads 1 and 2');
  });
});

describe('audit log', () => {
  const entry = (seed: number, split: 'test' | 'shift'): AuditEntry => ({
    study: 'unit', cell: 'd4-gelu', seed, split, time: '2026-01-01T00:00:00.000Z', lockHash: 'a'.repeat(64), modelFingerprint: 'b'.repeat(64), examples: 100,
  });

  test('is empty before any opening', () => {
    expect(readAudit(root, 'unit')).toEqual([]);
  });

  test('appends one JSON line per opening, in order, and reads them back', () => {
    appendAudit(root, entry(1, 'test'));
    appendAudit(root, entry(1, 'shift'));
    appendAudit(root, entry(2, 'test'));
    expect(readAudit(root, 'unit')).toEqual([entry(1, 'test'), entry(1, 'shift'), entry(2, 'test')]);
    const lines = readFileSync(auditPath(root, 'unit'), 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[1])).toEqual({ ...entry(1, 'shift'), checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });
});

describe('integrity: checksums of records and audit entries', () => {
  const path = () => recordPath(root, 'unit', 'registered', 'd4-gelu', 2);

  test('a record is stored with the sha256 of its canonical body; any changed value is a CorruptRecordError naming the fix', () => {
    writeRecord(path(), record());
    const stored = JSON.parse(readFileSync(path(), 'utf8'));
    expect(stored.checksum).toBe(`sha256:${sha256(canonicalJson({ ...record() }))}`);
    expect(readRecord(path())?.checksum).toBe(stored.checksum);
    // One changed digit in a metric, written back as valid JSON.
    writeFileSync(path(), JSON.stringify({ ...stored, metrics: { ...stored.metrics, test: { accuracy: 97, nll: 0.55 } } }));
    const error = errorOf(() => readRecord(path()));
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect(error).toBeInstanceOf(RunRecordError);
    expect((error as CorruptRecordError).path).toBe(path());
    expect(error.message).toContain('does not match its checksum');
    expect(error.message).toContain('Fix: restore it from git, or move it aside');
    // Truncated bytes: also corrupt.
    writeFileSync(path(), readFileSync(path(), 'utf8').slice(0, 100));
    expect(errorOf(() => readRecord(path()))).toBeInstanceOf(CorruptRecordError);
  });

  test('key order and whitespace do not matter; a record written before checksums existed is read as it is', () => {
    writeRecord(path(), record());
    const stored = JSON.parse(readFileSync(path(), 'utf8'));
    const reversed = Object.fromEntries(Object.entries(stored).reverse());
    writeFileSync(path(), JSON.stringify(reversed, null, 2));
    expect(readRecord(path())?.key).toBe(record().key);
    const { checksum: _, ...legacy } = stored;
    writeFileSync(path(), JSON.stringify(legacy));
    expect(readRecord(path())).toEqual(legacy);
  });

  test('an audit entry carries its checksum; a changed entry is reported with file and line, the others stay readable', () => {
    const entry = (seed: number): AuditEntry => ({ study: 'unit', cell: 'c', seed, split: 'test', time: 't', lockHash: 'l', modelFingerprint: `f${seed}`, examples: 1 });
    for (const seed of [1, 2, 3]) appendAudit(root, entry(seed));
    const file = auditPath(root, 'unit');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace('"f2"', '"f9"');
    writeFileSync(file, lines.join('\n'));
    const log = readAuditLog(file);
    expect(log.entries.map((e) => e.seed)).toEqual([1, 3]);
    expect(log.problems).toEqual([{ file, line: 2, kind: 'checksum', text: lines[1] }]);
    // An entry written before checksums existed (the ablation's) is valid as it is.
    writeFileSync(file, JSON.stringify(entry(4)) + '\n');
    expect(readAuditLog(file)).toMatchObject({ entries: [{ seed: 4, line: 1 }], problems: [] });
  });

  test('a torn last entry is reported with its line; the next append marks it and starts on its own line; every complete entry stays readable', () => {
    const entry = (seed: number): AuditEntry => ({ study: 'unit', cell: 'c', seed, split: 'test', time: 't', lockHash: 'l', modelFingerprint: `f${seed}`, examples: 1 });
    appendAudit(root, entry(1));
    const file = auditPath(root, 'unit');
    appendFileSync(file, '{"study":"unit","cell":"c","se'); // a run died mid-append
    expect(readAuditLog(file).problems).toEqual([{ file, line: 2, kind: 'torn', text: '{"study":"unit","cell":"c","se' }]);
    expect(readAudit(root, 'unit')).toEqual([entry(1)]);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    appendAudit(root, entry(2));
    expect(String(stderr.mock.calls[0][0])).toContain(`${file}:2: a torn last audit entry`);
    appendAudit(root, entry(3));
    expect(stderr).toHaveBeenCalledTimes(1);
    const log = readAuditLog(file);
    expect(log.entries.map((e) => [e.seed, e.line])).toEqual([[1, 1], [2, 4], [3, 5]]);
    expect(log.marks).toEqual([expect.objectContaining({ kind: 'torn-entry', line: 2, at: 3, text: '{"study":"unit","cell":"c","se' })]);
    expect(log.problems).toEqual([{ file, line: 2, kind: 'torn-marked', text: '{"study":"unit","cell":"c","se' }]);
    // A line that is not JSON elsewhere, without a mark, is unreadable (not a crash's torn tail).
    writeFileSync(file, `garbage\n${readFileSync(file, 'utf8')}`);
    expect(readAuditLog(file).problems.map((p) => [p.line, p.kind])).toEqual([[1, 'unreadable'], [3, 'unreadable']]);
  });

  test('sealedOpenings counts every opening and lists each (cell, seed, split) opened more than once', () => {
    const entry = (cell: string, seed: number, split: 'test' | 'shift', fingerprint: string): AuditEntry => ({ study: 'unit', cell, seed, split, time: 't', lockHash: 'l', modelFingerprint: fingerprint, examples: 1 });
    appendAudit(root, entry('a', 1, 'test', 'x'));
    appendAudit(root, entry('a', 1, 'shift', 'x'));
    appendAudit(root, entry('a', 1, 'test', 'y')); // died before its record; the rerun opened it again
    appendAudit(root, entry('b', 1, 'test', 'z'));
    appendAudit(root, { ...entry('a', 1, 'test', 'q'), study: 'other' }); // another study's log
    expect(sealedOpenings(root, 'unit')).toEqual({ entries: 4, opened: 3, repeated: [{ cell: 'a', seed: 1, split: 'test', openings: 2 }], problems: [] });
  });
});

describe('two workers or shards writing one store', () => {
  const TSX = join(fileURLToPath(new URL('../', import.meta.url)), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const STORE = fileURLToPath(new URL('./store.ts', import.meta.url));

  /** Starts `workers` processes at once, each writing every record of `seeds` (worker w's own key when `ownKey`) and an audit entry per seed. */
  async function race(workers: number, seeds: number[], ownKey: boolean): Promise<string[]> {
    const go = join(root, 'go');
    const script = (w: number) => `
      import { writeRecord, appendAudit, recordPath } from ${JSON.stringify(STORE)};
      import { existsSync } from 'node:fs';
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
      const out = [];
      for (const seed of ${JSON.stringify(seeds)}) {
        appendAudit(${JSON.stringify(root)}, { study: 'unit', cell: 'c', seed, split: 'test', time: 't', lockHash: 'l', modelFingerprint: 'w${w}', examples: ${w} });
        try {
          const r = writeRecord(recordPath(${JSON.stringify(root)}, 'unit', 'registered', 'c', seed), { schemaVersion: 2, key: ${ownKey ? `'key-w${w}'` : `'same'`}, study: 'unit', cell: 'c', seed,
            profile: 'registered', lockHash: 'l', config: {}, budget: { epochs: 1 }, status: 'ok', metrics: {}, predictions: {}, numClasses: 2, modelFingerprint: 'w${w}', curve: [],
            timings: { startedAt: 't', finishedAt: 't', trainSeconds: 0, evaluateSeconds: 0 }, environment: { node: 'v', platform: 'p', cpu: 'c', cores: 1, backend: 'b', harnessVersion: 'h', gitCommit: null, gitDirty: null, worker: ${w} } });
          out.push(r.archived ? 'archived' : 'written');
        } catch (e) { out.push(e.name); }
      }
      console.log(JSON.stringify(out));
    `;
    const { spawn } = await import('node:child_process');
    const children = Array.from({ length: workers }, (_, w) => new Promise<string>((resolve) => {
      const file = join(root, `worker-${w}.mts`);
      writeFileSync(file, script(w));
      const child = spawn(process.execPath, [TSX, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.on('close', () => resolve(text.trim()));
    }));
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(go, '');
    return Promise.all(children);
  }

  test('the same run written by four processes at once: one record stands, the others are refused, none torn or lost', async () => {
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    const outcomes = (await race(4, seeds, false)).map((line) => JSON.parse(line) as string[]);
    for (let i = 0; i < seeds.length; i++) {
      const column = outcomes.map((o) => o[i]);
      expect(column.filter((o) => o === 'written'), `seed ${seeds[i]}`).toHaveLength(1);
      expect(column.filter((o) => o === 'RunRecordError')).toHaveLength(3);
      expect(readRecord(recordPath(root, 'unit', 'registered', 'c', seeds[i]))?.key).toBe('same');
    }
    const dir = join(root, 'results', 'unit', 'c');
    expect(readdirSync(dir).sort()).toEqual(seeds.map((s) => `seed-${s}.json`).sort());
    const log = readAuditLog(auditPath(root, 'unit'));
    expect(log.problems).toEqual([]);
    expect(log.entries).toHaveLength(4 * seeds.length);
  }, 60_000);

  test('different keys for one run at once: every record survives, at its path or in archive/, never overwritten', async () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    await race(3, seeds, true);
    const dir = join(root, 'results', 'unit', 'c');
    for (const seed of seeds) {
      const standing = readRecord(recordPath(root, 'unit', 'registered', 'c', seed))!;
      const archived = existsSync(join(dir, 'archive'))
        ? readdirSync(join(dir, 'archive')).filter((f) => f.startsWith(`seed-${seed}.`)).map((f) => JSON.parse(readFileSync(join(dir, 'archive', f), 'utf8')).key)
        : [];
      expect([standing.key, ...archived].sort(), `seed ${seed}`).toEqual(['key-w0', 'key-w1', 'key-w2']);
    }
  }, 60_000);
});
