/**
 * The fetch-without-root path of OpenBLAS: Debian's libopenblas0-serial and the dependencies it needs (libgfortran5,
 * libquadmath0) downloaded with private package lists (what a non-root user on a fresh machine gets), verified,
 * unpacked into a temporary cache and loaded from there, with the system's libraries excluded from the search.
 * Needs Debian's archive (about 7 MB).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../../fixtures/data/generate.ts';
import { DEBIAN_OPENBLAS, searchBlas } from '../models/fastCpu/blas.ts';
import { cachedDebianPackage, debianPackagesInUse } from './debianFetch.ts';

const tmp = makeTempDir('debian-openblas');
afterAll(() => tmp.remove());

describe('OpenBLAS fetched without root into a temporary cache', () => {
  test('fetches libopenblas0-serial with libgfortran5 and libquadmath0, loads them from the cache, and sgemm is right', () => {
    const search = searchBlas({ systemSearch: false, cacheDir: tmp.dir, isInstalled: () => false, systemLists: false });
    if (!search.found) throw new Error(search.reason);
    const { blas } = search;
    expect(blas.vendor).toBe('openblas');
    expect(blas.origin).toBe('fetch');
    expect(blas.library.startsWith(tmp.dir)).toBe(true);
    expect(blas.library).toMatch(/openblas-serial\/libopenblas\.so\.0$/);
    expect(blas.config).toMatch(/OpenBLAS 0\.3/);
    expect(blas.threads).toBe(1);
    const maps = readFileSync('/proc/self/maps', 'utf8').split('\n');
    for (const name of ['libopenblas', 'libgfortran', 'libquadmath']) {
      expect(maps.some((line) => line.includes(tmp.dir) && line.includes(name)), name).toBe(true);
    }
    const closure = cachedDebianPackage(DEBIAN_OPENBLAS, { cacheDir: tmp.dir })!;
    expect(closure.map((p) => p.provenance.package)).toEqual(['libquadmath0', 'libgfortran5', DEBIAN_OPENBLAS]);
    expect(debianPackagesInUse().filter((p) => p.for === 'openblas').map((p) => p.package).sort()).toEqual(['libgfortran5', 'libopenblas0-serial', 'libquadmath0']);
    // A 3 x 2 by 2 x 3 product with B transposed, checked by hand: [[1,2],[3,4],[5,6]] · [[1,0,2],[0,1,3]].
    const c = new Float32Array(9);
    blas.sgemm(false, true, 3, 3, 2, Float32Array.of(1, 2, 3, 4, 5, 6), 2, Float32Array.of(1, 0, 0, 1, 2, 3), 2, 0, c, 3);
    expect(Array.from(c)).toEqual([1, 2, 8, 3, 4, 18, 5, 6, 28]);
  });

  test('fetching off and nothing cached: not found, and the reason names the package and the step', () => {
    const search = searchBlas({ systemSearch: false, cacheDir: `${tmp.dir}/empty`, fetch: false });
    expect(search.found).toBe(false);
    if (!search.found) expect(search.reason).toMatch(/libopenblas0-serial from the project's cache, fetched without root: .*fetching is off/);
  });
});
