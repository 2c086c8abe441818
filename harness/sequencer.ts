import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const CELL_FILE = /experiments\/([^/]+)\/cells\/([^/]+)\.exp\.ts$/;

/**
 * Mean training seconds of a cell's stored runs, from the first profile that has any (registered, then
 * pilot, then quick), or null when the cell has never run. Quick runs rank cells by cost as well as full ones.
 */
export function estimatedCellSeconds(root: string, study: string, cell: string): number | null {
  for (const folder of [join(root, 'results', study, cell), join(root, 'results', '.pilot', study, cell), join(root, 'results', '.quick', study, cell)]) {
    if (!existsSync(folder)) continue;
    const seconds: number[] = [];
    for (const name of readdirSync(folder).filter((n) => /^seed-\d+\.json$/.test(n))) {
      try {
        const value = JSON.parse(readFileSync(join(folder, name), 'utf8'))?.timings?.trainSeconds;
        if (typeof value === 'number' && Number.isFinite(value)) seconds.push(value);
      } catch {
        // An unreadable record is reported by the cell itself; here it just gives no estimate.
      }
    }
    if (seconds.length > 0) return seconds.reduce((a, b) => a + b, 0) / seconds.length;
  }
  return null;
}

/**
 * Vitest sequencer: cell files run longest first (estimated from their stored runs; cells that never ran
 * come first, as they may be the longest), so two workers finish together instead of one idling while the
 * other trains the deepest cell last. Every other file keeps Vitest's own order.
 */
export class LongestCellsFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return orderCellsLongestFirst(await super.sort(files), (spec) => spec.project.config.root);
  }
}

/** Reorders the cell files among themselves, longest first; every other file keeps its slot. Pure but for reading records. */
export function orderCellsLongestFirst<Spec extends { moduleId: string }>(specs: Spec[], rootOf: (spec: Spec) => string): Spec[] {
  const cost = new Map<Spec, number>();
  for (const spec of specs) {
    const match = spec.moduleId.replace(/\\/g, '/').match(CELL_FILE);
    if (!match) continue;
    cost.set(spec, estimatedCellSeconds(rootOf(spec), match[1], match[2]) ?? Number.POSITIVE_INFINITY);
  }
  const cells = specs.filter((s) => cost.has(s)).sort((a, b) => cost.get(b)! - cost.get(a)!);
  let next = 0;
  return specs.map((spec) => (cost.has(spec) ? cells[next++] : spec));
}
