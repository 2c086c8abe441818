import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ModelError } from '../errors.ts';
import { BACKEND_ENV_VAR, initBackend, parseBackendEnv } from './backend.ts';
import { BLAS_ENV_VAR, findBlas } from './fastCpu/blas.ts';
import { missingGradients } from './gradients.ts';
import { isWasmMatMulFixInstalled } from './wasmMatMulFix.ts';

const saved = process.env[BACKEND_ENV_VAR];

describe('initBackend', () => {
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
  });

  test('picks the fastest available backend (fast-cpu when a BLAS library is found: tfjs-node is not installed) and registers gradients', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const info = await initBackend();
    expect(['node-gpu', 'node', 'fast-cpu', 'wasm']).toContain(info.name);
    if (findBlas().found) expect(info.name).toBe('fast-cpu');
    if (info.name === 'fast-cpu') {
      expect(info).toMatchObject({ version: '4.22.0', details: { package: '@tensorflow/tfjs-backend-cpu', blas: true, threads: 1, fusedAdamW: true } });
      expect(typeof info.details.blasLibrary).toBe('string');
      expect(['openblas', 'accelerate', 'blis', 'mkl']).toContain(info.details.blasVendor);
      expect(tf.getBackend()).toBe('fast-cpu');
    }
    if (info.name === 'wasm') {
      expect(info).toMatchObject({ version: '4.22.0', details: { package: '@tensorflow/tfjs-backend-wasm', threads: 1, matMulTransposeFix: true } });
      expect(typeof info.details.simd).toBe('boolean');
      expect(tf.getBackend()).toBe('wasm');
      expect(isWasmMatMulFixInstalled()).toBe(true);
    }
    expect(missingGradients()).toEqual([]);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });

  test('without a BLAS library (HYPOTEST_BLAS=none) the choice falls back to wasm, says so once on stderr, and records why', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const savedBlas = process.env[BLAS_ENV_VAR];
    const messages: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      messages.push(String(chunk));
      return true;
    });
    try {
      process.env[BLAS_ENV_VAR] = 'none';
      const first = await initBackend();
      const second = await initBackend();
      expect(first.name).toBe('wasm');
      expect(first.details.blasSearch).toMatch(/HYPOTEST_BLAS=none/);
      expect(second).toEqual(first);
      expect(tf.getBackend()).toBe('wasm');
      expect(messages.filter((m) => m.includes('fast-cpu backend is not available'))).toHaveLength(1);
      await expect(initBackend({ name: 'fast-cpu' })).rejects.toThrow(/asks for the fast-cpu backend, but a BLAS library .* could not be loaded \(HYPOTEST_BLAS=none\)/);
    } finally {
      spy.mockRestore();
      if (savedBlas === undefined) delete process.env[BLAS_ENV_VAR];
      else process.env[BLAS_ENV_VAR] = savedBlas;
    }
    if (findBlas().found) expect((await initBackend()).name).toBe('fast-cpu');
  });

  test('is idempotent', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const first = await initBackend();
    const second = await initBackend();
    expect(second).toEqual(first);
    expect(tf.getBackend()).toBe(first.name === 'node' || first.name === 'node-gpu' ? 'tensorflow' : first.name);
  });

  test('HYPOTEST_BACKEND forces a backend, and wins over prefer', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const info = await initBackend({ prefer: 'wasm' });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    delete process.env[BACKEND_ENV_VAR];
    expect((await initBackend({ prefer: 'cpu' })).name).toBe('cpu');
    expect((await initBackend({ name: 'wasm' })).name).toBe('wasm');
  });

  test('a forced backend that is not installed is a ModelError that says how to fix it', async () => {
    process.env[BACKEND_ENV_VAR] = 'tfjs-node';
    await expect(initBackend()).rejects.toThrow(ModelError);
    await expect(initBackend()).rejects.toThrow(/HYPOTEST_BACKEND=tfjs-node asks for the node backend, but @tensorflow\/tfjs-node could not be loaded/);
    await expect(initBackend({ name: 'node-gpu' })).rejects.toThrow(/@tensorflow\/tfjs-node-gpu could not be loaded/);
  });

  test('parseBackendEnv accepts names and aliases, rejects unknown ones', () => {
    expect(parseBackendEnv(undefined)).toBeUndefined();
    expect(parseBackendEnv(' ')).toBeUndefined();
    expect(parseBackendEnv('WASM')).toBe('wasm');
    expect(parseBackendEnv('tfjs-node-gpu')).toBe('node-gpu');
    expect(parseBackendEnv('tensorflow')).toBe('node');
    expect(parseBackendEnv('blas')).toBe('fast-cpu');
    expect(parseBackendEnv('Fast-CPU')).toBe('fast-cpu');
    expect(() => parseBackendEnv('webgl')).toThrow(/HYPOTEST_BACKEND=webgl names no backend/);
  });
});
