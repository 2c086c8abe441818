import { stratifiedSubsample, gatherSplit } from './data/split.ts';
import { deriveSeed } from './random.ts';
import type { Split } from './types.ts';

/** A seeded, stratified subset of a split (the quick profile's smaller budget). Same label, same subset. */
export function subsampleSplit(split: Split, size: number, label: string): Split {
  if (size >= split.count) return split;
  const indices = stratifiedSubsample(split.labels, { size, seed: deriveSeed(0, `subsample/${label}`) });
  return gatherSplit(split, indices, split.name);
}
