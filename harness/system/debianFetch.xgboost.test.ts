/**
 * The fetch-without-root path of XGBoost: Debian's libxgboost0 and the dependencies it needs (libdmlc0, libgomp1)
 * downloaded with private package lists (what a non-root user on a fresh machine gets), verified, unpacked into a
 * temporary cache and loaded from there, with the system's libraries excluded from the search. Needs Debian's
 * archive (about 2 MB).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import reference from '../../fixtures/xgboost/reference.json';
import { makeTempDir } from '../../fixtures/data/generate.ts';
import { errorOf } from '../../fixtures/testing.ts';
import { XgboostUnavailableError } from '../errors.ts';
import { loadXgboost, trainBooster } from '../models/gbt.ts';
import { cachedDebianPackage, DebianFetchError, debianPackagesInUse, fetchDebianPackage, parseDepends } from './debianFetch.ts';

const tmp = makeTempDir('debian-xgboost');
afterAll(() => tmp.remove());

const mapped = () => readFileSync('/proc/self/maps', 'utf8');

describe('parseDepends', () => {
  test('groups alternatives, drops versions and architecture qualifiers', () => {
    expect(parseDepends('libc6 (>= 2.34), libopenblas0-pthread | libopenblas0-serial, libfoo:any, python3:native (>= 3)')).toEqual([
      ['libc6'], ['libopenblas0-pthread', 'libopenblas0-serial'], ['libfoo'], ['python3'],
    ]);
    expect(parseDepends('')).toEqual([]);
  });
});

describe('XGBoost fetched without root into a temporary cache', () => {
  test('fetches libxgboost0 with libdmlc0 and libgomp1, verifies them, loads them from the cache and trains as Python does', () => {
    const loaded = loadXgboost({ systemSearch: false, cacheDir: tmp.dir, isInstalled: () => false, systemLists: false });
    expect(loaded.origin).toBe('fetch');
    expect(loaded.library.startsWith(tmp.dir)).toBe(true);
    expect(loaded.version).toBe('1.7.4');
    // The process runs the cache's copies, dependencies included (not the system's, which the search skipped).
    const maps = mapped();
    for (const soname of ['libxgboost.so.0', 'libdmlc.so.0', 'libgomp.so.1']) {
      expect(maps.split('\n').some((line) => line.includes(tmp.dir) && line.includes(soname.split('.so')[0])), soname).toBe(true);
    }

    const closure = cachedDebianPackage('libxgboost0', { cacheDir: tmp.dir })!;
    expect(closure.map((p) => p.provenance.package)).toEqual(['libgomp1', 'libdmlc0', 'libxgboost0']);
    for (const { provenance } of closure) {
      expect(provenance.lists).toBe('private');
      expect(provenance.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(provenance.libraries).length).toBeGreaterThan(0);
    }
    // The recorded sha256 is the archive's: the system's own index lists the same digest for that version.
    const xgb = closure[2].provenance;
    expect(execFileSync('apt-cache', ['show', `libxgboost0=${xgb.version}`], { encoding: 'utf8' })).toContain(`SHA256: ${xgb.sha256}`);
    // And it goes into the run records' environment.
    const inUse = debianPackagesInUse().filter((p) => p.for === 'xgboost').map((p) => `${p.package} ${p.version} ${p.sha256}`);
    expect(inUse.sort()).toEqual(closure.map((p) => `${p.provenance.package} ${p.provenance.version} ${p.provenance.sha256}`).sort());

    const run = reference.runs[0];
    const booster = trainBooster({
      train: { count: reference.train.count, features: Float32Array.from(reference.train.features), labels: Uint8Array.from(reference.train.labels) },
      featureSize: reference.features,
      params: { numClasses: reference.classes, seed: run.seed, ...reference.settings },
      library: loaded.library,
    });
    try {
      expect(Array.from(booster.predict(Float32Array.from(reference.test.features), reference.test.count))).toEqual(Array.from(Float32Array.from(run.probabilities)));
      expect(booster.fingerprint()).toBe(run.modelSha256);
    } finally {
      booster.dispose();
    }
  });

  test('the process keeps the library it loaded; a library changed in the cache is refused by name', () => {
    expect(loadXgboost({ systemSearch: false, cacheDir: tmp.dir, fetch: false }).origin).toBe('fetch'); // the process keeps the library it loaded
    const closure = cachedDebianPackage('libxgboost0', { cacheDir: tmp.dir })!;
    const [path] = Object.keys(closure[1].provenance.libraries);
    const file = `${closure[1].root}/${path}`;
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([bytes, Buffer.from([0])]));
    const error = errorOf(() => cachedDebianPackage('libxgboost0', { cacheDir: tmp.dir }));
    expect(error).toBeInstanceOf(DebianFetchError);
    expect(String((error as Error).message)).toMatch(/libdmlc0 .* has sha256 .* but .* was recorded .*Fix: delete/s);
    writeFileSync(file, bytes);
  });

  test('nothing cached and fetching off: a named error that lists what was tried', () => {
    const error = errorOf(() => loadXgboost({ systemSearch: false, cacheDir: `${tmp.dir}/empty`, fetch: false }));
    expect(error).toBeInstanceOf(XgboostUnavailableError);
    expect(String((error as Error).message)).toMatch(/libxgboost0 from the project's cache, fetched without root: .*fetching is off.*apt-get install libxgboost0/s);
  });

  test('a package the archive does not have: DebianFetchError listing each try (system lists, private update, private lists)', () => {
    const error = errorOf(() => fetchDebianPackage('hypotest-no-such-package', { cacheDir: `${tmp.dir}/missing` }));
    expect(error).toBeInstanceOf(DebianFetchError);
    const message = String((error as Error).message);
    expect(message).toMatch(/could not download the Debian package hypotest-no-such-package without root\. Tried, in order:/);
    expect(message).toMatch(/1\. apt-get download hypotest-no-such-package with the system's package lists: E: Unable to locate package hypotest-no-such-package/);
    expect(message).toMatch(/2\. apt-get download hypotest-no-such-package with private package lists: E: Unable to locate package hypotest-no-such-package/);
    expect(message).toContain('Fix: install it as root (apt-get install hypotest-no-such-package)');
  });
});
