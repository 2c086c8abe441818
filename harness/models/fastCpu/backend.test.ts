import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { fastCpuAvailable } from '../../../bench/fixtures/backendCompare.ts';
import { FastCpuBackend, POOL_LIMIT_BYTES } from './backend.ts';
import { describeNeeding } from '../../../fixtures/systemPieces.ts';

const available = await fastCpuAvailable();

describeNeeding('libopenblas0', available)('FastCpuBackend: recycling kernel outputs never changes a live tensor', () => {
  let backend: FastCpuBackend;
  beforeAll(async () => {
    await tf.setBackend('fast-cpu');
    backend = tf.backend() as FastCpuBackend;
  });

  /** Runs kernels whose outputs have `size` values, many times, so that any recycled array gets overwritten. */
  function churn(size: number): void {
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        tf.add(tf.fill([size], i + 1000), tf.fill([size], 1));
      });
    }
  }

  test('the pool recycles outputs of the same size, and stays under its limit', () => {
    const a = tf.fill([1000], 2);
    tf.add(a, a).dispose();
    const before = backend.poolSize();
    expect(before.arrays).toBeGreaterThan(0);
    churn(1000);
    expect(backend.poolSize().bytes).toBeLessThanOrEqual(POOL_LIMIT_BYTES);
    expect(backend.poolSize().arrays).toBe(before.arrays);
    a.dispose();
  });

  test('a slice that views a disposed output (the cpu Slice kernel returns a subarray) keeps its values', () => {
    const source = tf.add(tf.fill([64], 3), tf.fill([64], 4));
    const view = tf.slice(source, [0], [64]);
    const part = tf.slice(source, [8], [8]);
    source.dispose();
    churn(64);
    expect(Array.from(view.dataSync())).toEqual(new Array(64).fill(7));
    expect(Array.from(part.dataSync())).toEqual(new Array(8).fill(7));
    tf.dispose([view, part]);
  });

  test('a complex tensor built on a disposed output (the cpu Complex kernel keeps the input array) keeps its values', () => {
    const real = tf.mul(tf.fill([16], 2), tf.fill([16], 3));
    const imaginary = tf.sub(tf.fill([16], 2), tf.fill([16], 3));
    const complex = tf.complex(real, imaginary);
    tf.dispose([real, imaginary]);
    churn(16);
    expect(Array.from(tf.tidy(() => tf.real(complex).dataSync()))).toEqual(new Array(16).fill(6));
    expect(Array.from(tf.tidy(() => tf.imag(complex).dataSync()))).toEqual(new Array(16).fill(-1));
    complex.dispose();
  });

  test('arrays handed to tf.tensor are never recycled', () => {
    const values = new Float32Array(32).fill(5);
    const t = tf.tensor(values);
    t.dispose();
    churn(32);
    expect(Array.from(values)).toEqual(new Array(32).fill(5));
  });
});
