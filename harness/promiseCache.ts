/**
 * Returns the promise cached under `key`, or starts one with `start` and caches it. A promise that rejects is
 * dropped from the cache, so the next call retries instead of replaying the failure (a missing file fixed
 * meanwhile, a download that failed once). Settled successes stay cached for the process.
 *
 * @example
 * const loads = new Map<string, Promise<Data>>();
 * const data = await cachePromise(loads, dir, () => readAll(dir));
 */
export function cachePromise<K, V>(cache: Map<K, Promise<V>>, key: K, start: () => Promise<V>): Promise<V> {
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const pending = start();
  cache.set(key, pending);
  // Only this promise's entry: a cache cleared and refilled meanwhile keeps its newer entry.
  pending.catch(() => { if (cache.get(key) === pending) cache.delete(key); });
  return pending;
}
