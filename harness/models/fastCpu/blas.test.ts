import { afterEach, describe, expect, test } from 'vitest';
import { ModelError } from '../../errors.ts';
import { expectAllClose, seededValues } from '../../../bench/fixtures/testUtils.ts';
import { BLAS_ENV_VAR, findBlas } from './blas.ts';
import { testNeeding } from '../../../fixtures/systemPieces.ts';

const saved = process.env[BLAS_ENV_VAR];
const search = findBlas();
const withBlas = testNeeding('libopenblas0', search.found, search.found ? '' : search.reason);

/** `A'·B'` in double precision, row-major, for the stored shapes the flags imply. */
function reference(transposeA: boolean, transposeB: boolean, m: number, n: number, k: number, a: Float32Array, lda: number, b: Float32Array, ldb: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
      out[i * n + j] = sum;
    }
  }
  return out;
}

describe('findBlas', () => {
  afterEach(() => {
    if (saved === undefined) delete process.env[BLAS_ENV_VAR];
    else process.env[BLAS_ENV_VAR] = saved;
  });

  withBlas('loads an optimised BLAS pinned to one thread, and says which', () => {
    if (!search.found) return;
    const { blas } = search;
    expect(['openblas', 'accelerate', 'blis', 'mkl']).toContain(blas.vendor);
    expect(blas.threads).toBe(1);
    expect(blas.library.length).toBeGreaterThan(0);
    if (blas.vendor === 'openblas') expect(blas.config).toMatch(/OpenBLAS/);
    expect(process.env.OPENBLAS_NUM_THREADS).toBe('1');
    expect(findBlas()).toBe(search);
  });

  withBlas('sgemm: every transpose combination, leading dimensions wider than the matrix, beta 0 and 1', () => {
    if (!search.found) return;
    const { blas } = search;
    const [m, n, k] = [13, 7, 29];
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        // Stored with 3 spare columns per row: the leading dimension is the stored row length.
        const lda = (transposeA ? m : k) + 3;
        const ldb = (transposeB ? k : n) + 3;
        const a = seededValues((transposeA ? k : m) * lda, `blas-a-${transposeA}`);
        const b = seededValues((transposeB ? n : k) * ldb, `blas-b-${transposeB}`);
        const expected = reference(transposeA, transposeB, m, n, k, a, lda, b, ldb);
        const c = new Float32Array(m * n).fill(Number.NaN);
        blas.sgemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, 0, c, n);
        expectAllClose(c, expected, 1e-5, `transposeA ${transposeA}, transposeB ${transposeB}`);
        // beta 1 accumulates into C.
        blas.sgemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, 1, c, n);
        expectAllClose(c, expected.map((v) => 2 * v), 1e-5, 'beta 1');
      }
    }
  });

  withBlas('sgemm reads and writes subarrays in place (no copies)', () => {
    if (!search.found) return;
    const a = Float32Array.of(9, 9, 1, 2, 3, 4);
    const b = Float32Array.of(1, 0, 0, 1);
    const c = new Float32Array(6);
    search.blas.sgemm(false, false, 2, 2, 2, a.subarray(2), 2, b, 2, 0, c.subarray(2), 2);
    expect(Array.from(c)).toEqual([0, 0, 1, 2, 3, 4]);
  });

  test('HYPOTEST_BLAS=none disables BLAS; a library that cannot be loaded is a ModelError naming the fix', () => {
    process.env[BLAS_ENV_VAR] = 'none';
    expect(findBlas()).toEqual({ found: false, reason: 'HYPOTEST_BLAS=none' });
    process.env[BLAS_ENV_VAR] = '/nonexistent/libopenblas.so.0';
    expect(() => findBlas()).toThrow(ModelError);
    expect(() => findBlas()).toThrow(/HYPOTEST_BLAS=\/nonexistent\/libopenblas.so.0 could not be used/);
  });
});
