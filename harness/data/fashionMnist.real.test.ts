/**
 * The real Fashion-MNIST, when it is installed (Debian package dataset-fashion-mnist, the cache,
 * or FASHION_MNIST_DIR); otherwise it fails naming the package (npm test's preflight fetches it first). Never downloads.
 * About 1.5 s.
 */
import { describe, expect, test } from 'vitest';
import { FASHION_MNIST_SHA256, fashionMnist, loadFashionMnistArrays, locateFashionMnist } from './fashionMnist.ts';
import { openDataset } from './sealedDataset.ts';
import { describeNeeding } from '../../fixtures/systemPieces.ts';

const installed = await locateFashionMnist({ download: false }).then(
  () => true,
  () => false,
);

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describeNeeding('dataset-fashion-mnist', installed)('real Fashion-MNIST', () => {
  test('verifies the checksums and splits 50,000 / 10,000 / 10,000 with balanced classes', async () => {
    const arrays = await loadFashionMnistArrays({ download: false });
    expect(arrays.sha256).toEqual(FASHION_MNIST_SHA256);
    expect([arrays.rows, arrays.cols]).toEqual([28, 28]);
    const data = await openDataset(fashionMnist({ validationSize: 10_000, splitSeed: 0, preprocessing: 'scale', source: { download: false } }));
    expect([data.train.count, data.validation.count, data.test.count]).toEqual([50_000, 10_000, 10_000]);
    expect(data.train.features.length).toBe(50_000 * 784);
    // 6,000 training images per class, so the stratified split is exact: 5,000 + 1,000 per class.
    expect(classCounts(data.train.labels)).toEqual(new Array(10).fill(5_000));
    expect(classCounts(data.validation.labels)).toEqual(new Array(10).fill(1_000));
    expect(classCounts(data.test.labels)).toEqual(new Array(10).fill(1_000));
    let max = 0;
    for (const value of data.test.features) max = Math.max(max, value);
    expect(max).toBe(1);
    expect(data.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
