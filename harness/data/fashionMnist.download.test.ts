/**
 * The last-resort source: `apt-get download dataset-fashion-mnist` into an empty cache, then
 * `dpkg-deb -x`. Needs Debian's archive (about 31 MB); skipped where apt-get is absent.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../../fixtures/data/generate.ts';
import { FASHION_MNIST_SHA256, loadFashionMnistArrays, locateFashionMnist } from './fashionMnist.ts';

const hasApt = (() => {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const tmp = makeTempDir('fashion-download');
afterAll(() => tmp.remove());

describe.skipIf(!hasApt)('Fashion-MNIST download fallback', () => {
  test('downloads the Debian package into the cache, verifies it, and reuses the cache afterwards', async () => {
    const source = { env: {}, searchDirs: [], cacheDir: tmp.dir };
    const arrays = await loadFashionMnistArrays({ ...source, expectedSha256: { ...FASHION_MNIST_SHA256 } });
    expect(arrays.origin).toBe('download');
    expect(arrays.sha256).toEqual(FASHION_MNIST_SHA256);
    expect(readdirSync(tmp.dir).sort()).toEqual([
      't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
    ]);
    await expect(locateFashionMnist(source)).resolves.toEqual({ dir: tmp.dir, origin: 'cache' });
  });
});
