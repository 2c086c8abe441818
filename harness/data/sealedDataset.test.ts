import { describe, expect, test } from 'vitest';
import { SealedSplitError } from '../errors.ts';
import { loadDatasetOnce } from '../seal.ts';
import { defineStudy } from '../study.ts';
import type { DatasetSpec, DatasetSplits, Split } from '../types.ts';
import { fashionMnist } from './fashionMnist.ts';
import { cifar10Patches } from './cifar10.ts';
import { openDataset, sealDataset } from './sealedDataset.ts';

function split(name: Split['name'], count: number): Split {
  return { name, count, featureShape: [1], numClasses: 2, features: new Float32Array(count).fill(name.length), labels: new Uint8Array(count) };
}
const splits: DatasetSplits = { train: split('train', 4), validation: split('validation', 3), test: split('test', 2), shift: split('shift', 2), fingerprint: 'f'.repeat(64), classNames: ['a', 'b'] };
const raw = (): DatasetSpec => ({ id: 'hand', description: 'hand-written', params: { n: 1 }, hasShift: true, load: async () => splits });

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('sealDataset', () => {
  test('the public load() gives train, validation, fingerprint and class names; test and shift throw SealedSplitError', async () => {
    const data = await sealDataset(raw()).load();
    expect(data.train).toBe(splits.train);
    expect(data.validation).toBe(splits.validation);
    expect(data.fingerprint).toBe(splits.fingerprint);
    expect(data.classNames).toEqual(['a', 'b']);
    for (const name of ['test', 'shift']) {
      const error = (() => { try { return (data as unknown as Record<string, unknown>)[name]; } catch (e) { return e; } })();
      expect(error).toBeInstanceOf(SealedSplitError);
      expect((error as Error).message).toContain(`the ${name} split is sealed`);
    }
    expect(Object.keys(data).sort()).toEqual(['classNames', 'fingerprint', 'train', 'validation']);
    expect(JSON.stringify(Object.keys(data))).not.toContain('test');
  });

  test('openDataset (harness only) gives every split; sealing twice returns the same spec; the spec is frozen', async () => {
    const sealed = sealDataset(raw());
    expect(sealDataset(sealed)).toBe(sealed);
    expect((await openDataset(sealed)).test).toBe(splits.test);
    expect(Object.isFrozen(sealed)).toBe(true);
    expect(Object.keys(sealed).sort()).toEqual(['description', 'hasShift', 'id', 'load', 'params']);
    expect((await loadDatasetOnce(sealed)).shift).toBe(splits.shift);
  });

  test('a study seals a hand-written loader: study.dataset.load() never returns the test split', async () => {
    const study = defineStudy({
      name: 'sealed-unit', title: 't', question: 'q?', dataset: raw(), cells: { a: {}, b: {} }, seeds: [1, 2],
      metrics: { primary: 'accuracy', readAt: 'final-epoch' }, budget: { registered: { epochs: 1 }, quick: { epochs: 1 } },
      analysis: { model: 'paired', confidence: 0.95, seedAsBlock: false, seedBlockReason: 'r', families: { c: { correction: 'bonferroni', confirmatory: true } } },
      diverged: { rule: 'substitute-chance', reason: 'r' },
    });
    const data = await study.dataset.load();
    expect(data.train).toBe(splits.train);
    expect(() => (data as unknown as { test: unknown }).test).toThrow(SealedSplitError);
    expect((await openDataset(study.dataset)).test).toBe(splits.test);
  });

  test('fashionMnist() and cifar10Patches() hand out sealed specs (their load() fails on test before touching any file)', async () => {
    for (const spec of [
      fashionMnist({ validationSize: 10, splitSeed: 0, preprocessing: 'scale', source: { env: {}, searchDirs: ['/nonexistent'], download: false } }),
      cifar10Patches({ patchSize: 8, colour: 'grayscale', position: 'center', validationSize: 10, splitSeed: 0, preprocessing: 'scale', source: { dir: '/nonexistent' } }),
    ]) {
      expect(sealDataset(spec)).toBe(spec);
      // The raw loader behind the spec is the harness's: neither the spec nor its load() exposes it.
      expect(Object.keys(spec)).not.toContain('loader');
      expect((await rejectionOf(spec.load())).name).toBe('DatasetError');
    }
  });
});
