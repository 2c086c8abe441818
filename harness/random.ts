import seedrandom from 'seedrandom';
import { createHash } from 'node:crypto';

/**
 * A seeded uniform random generator in [0, 1). hypotest always seeds with the string form
 * `seedrandom(String(seed))` (`seedrandom(42)` and `seedrandom('42')` give different streams).
 *
 * @example
 * const random = createRandom(7); random(); // same value on every machine
 */
export function createRandom(seed: number | string): () => number {
  return seedrandom(String(seed));
}

/**
 * Derives an independent 31-bit integer seed from a run seed and a label, so that distinct
 * uses of randomness (initialisation, data order, bootstrap) never share a stream.
 *
 * @example
 * deriveSeed(1, 'init/layer-0') // stable integer
 */
export function deriveSeed(seed: number | string, label: string): number {
  const digest = createHash('sha256').update(`${seed}/${label}`).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}
