// Two suites: `unit` (self-contained, what `npm test` runs on a fresh clone) and `corpus`
// (reads the real public samples in ../shared/corpus; run by .ci/run after `npm test`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/corpus/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'corpus',
          include: ['test/corpus/**/*.test.ts'],
          testTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
