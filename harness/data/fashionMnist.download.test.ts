/**
 * The last-resort source, the fetch-without-root path of the dataset: `dataset-fashion-mnist` downloaded with private
 * package lists (what a non-root user on a fresh machine gets, `harness/system/debianFetch.ts`), its sha256 checked
 * against the archive's index, unpacked, and the four IDX files moved into an empty temporary cache with the
 * package's provenance beside them; then loaded from there. Needs Debian's archive (about 31 MB).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { makeTempDir } from '../../fixtures/data/generate.ts';
import { debianPackagesInUse, type DebianPackageProvenance } from '../system/debianFetch.ts';
import { FASHION_MNIST_PROVENANCE_FILE, FASHION_MNIST_SHA256, loadFashionMnistArrays, locateFashionMnist } from './fashionMnist.ts';

const tmp = makeTempDir('fashion-download');
afterAll(() => tmp.remove());

describe('Fashion-MNIST fetched without root', () => {
  test('downloads the Debian package into the cache, verifies it, records its provenance, and reuses the cache afterwards', async () => {
    const source = { env: {}, searchDirs: [], cacheDir: tmp.dir, fetch: { systemLists: false } };
    const arrays = await loadFashionMnistArrays({ ...source, expectedSha256: { ...FASHION_MNIST_SHA256 } });
    expect(arrays.origin).toBe('download');
    expect(arrays.sha256).toEqual(FASHION_MNIST_SHA256);
    expect(readdirSync(tmp.dir).sort()).toEqual([
      FASHION_MNIST_PROVENANCE_FILE, 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
    ]);
    const provenance = JSON.parse(readFileSync(join(tmp.dir, FASHION_MNIST_PROVENANCE_FILE), 'utf8')) as DebianPackageProvenance;
    expect(provenance).toMatchObject({ package: 'dataset-fashion-mnist', architecture: 'all', lists: 'private' });
    expect(execFileSync('apt-cache', ['show', `dataset-fashion-mnist=${provenance.version}`], { encoding: 'utf8' })).toContain(`SHA256: ${provenance.sha256}`);
    expect(debianPackagesInUse().find((p) => p.for === 'fashion-mnist')).toMatchObject({ package: 'dataset-fashion-mnist', sha256: provenance.sha256 });
    await expect(locateFashionMnist(source)).resolves.toEqual({ dir: tmp.dir, origin: 'cache' });
  });
});
