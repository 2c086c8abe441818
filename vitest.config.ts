import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { hypotestProjects } from './harness/config.ts';
import { LongestCellsFirstSequencer } from './harness/sequencer.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: { alias: { hypotest: fileURLToPath(new URL('./harness/index.ts', import.meta.url)) } },
  test: {
    reporters: ['default', fileURLToPath(new URL('./reporters/verdicts.ts', import.meta.url))],
    sequence: { sequencer: LongestCellsFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'reporters/**/*.test.ts', 'fixtures/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['**/node_modules/**', '.e2e-tmp/**', '**/*.slow.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: ['harness/**/*.slow.test.ts'],
          testTimeout: 600_000,
        },
      },
      ...hypotestProjects({ root }),
    ],
  },
});
