/**
 * The design as it was run, in words, for every write-up: the data the profile's budget actually used (a quick
 * run's subsample, never the registered split sizes), the settings every cell shares and what each cell sets.
 * Quick and pilot outputs never mention the sealed splits by name: they were not opened.
 */
import type { VerdictsFile } from './verdictTable.ts';

const count = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

/** One sentence on the data the runs used. */
export function dataAsRun(file: VerdictsFile): string {
  const { design } = file;
  if (file.profile === 'registered') return design.dataset.description;
  const budget = design.budget as { trainExamples?: number; validationExamples?: number };
  const train = budget.trainExamples ? `${count(budget.trainExamples)} training examples (a fixed subsample of the training split)` : 'the whole training split';
  const validation = budget.validationExamples ? `${count(budget.validationExamples)} validation examples` : 'the whole validation split';
  return `${design.dataset.id}: ${train} and ${validation}, as the ${file.profile} budget sets them; the sealed splits were not opened.`;
}

/** Settings with one value in every cell (key → value), from the cells' configurations. */
export function sharedSettings(file: VerdictsFile): Record<string, unknown> {
  const configs = Object.values(file.design.configs ?? {});
  if (configs.length === 0) return {};
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configs[0])) {
    if (configs.every((c) => JSON.stringify(c[key]) === JSON.stringify(value))) shared[key] = value;
  }
  return shared;
}

/** What each cell sets beyond the shared settings, as `cell: key value, ...` (empty without configurations). */
export function cellSettings(file: VerdictsFile): string[] {
  const shared = sharedSettings(file);
  return Object.entries(file.design.configs ?? {}).map(([cell, config]) => {
    const own = Object.entries(config).filter(([key]) => !(key in shared)).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
    return `${cell}: ${own.length ? own.join(', ') : 'the shared settings only'}`;
  });
}

/** One sentence: the budget as run and the settings every cell shares. */
export function settingsAsRun(file: VerdictsFile): string {
  const budget = Object.entries(file.design.budget).map(([k, v]) => `${k} ${count(v)}`).join(', ');
  const shared = Object.entries(sharedSettings(file)).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  return `Budget as run (${file.profile} profile): ${budget}.${shared.length ? ` Every cell shares: ${shared.join(', ')}.` : ''}`;
}

/** The post-hoc notes a write-up shows: the registered profile's only (they discuss the registered results, not a quick run). */
export function postHocNotes(file: VerdictsFile): string | null {
  return file.profile === 'registered' ? file.postHoc : null;
}
