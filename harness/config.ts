import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The two Vitest projects every hypotest root needs: `cells` (one test per pre-registered
 * seed, run first, one single-thread worker per core) and `hypotheses` (read the stored run
 * records and judge; run after the cells, see `sequence.groupOrder`).
 *
 * @example
 * export default defineConfig({ test: { projects: [...hypotestProjects({ root })] } })
 */
export function hypotestProjects(options: { root: string; maxWorkers?: number }): TestProjectInlineConfiguration[] {
  return [
    {
      extends: true,
      test: {
        name: 'cells',
        root: options.root,
        include: ['experiments/**/cells/*.exp.ts'],
        pool: 'forks',
        maxWorkers: options.maxWorkers ?? 2,
        // Training a cell takes minutes; the harness shows progress instead of timing out.
        testTimeout: 6 * 60 * 60 * 1000,
        hookTimeout: 10 * 60 * 1000,
        sequence: { groupOrder: 0 },
      },
    },
    {
      extends: true,
      test: {
        name: 'hypotheses',
        root: options.root,
        include: ['experiments/**/hypotheses.exp.ts'],
        pool: 'forks',
        testTimeout: 10 * 60 * 1000,
        sequence: { groupOrder: 1 },
      },
    },
  ];
}
