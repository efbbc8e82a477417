import { defineConfig } from 'vitest/config'

/**
 * Test files that drive the shared, running native lab (its gateway on :8080, its Prometheus): an
 * experiment breaks it on purpose for seconds at a time, so these run one file at a time, after the
 * rest of the suite, which builds its own apps on the test infrastructure and may run side by side.
 */
const LIVE_LAB = ['experiments/test/**/*.test.ts', 'grafana/test/live.test.ts']
const EXCLUDE = ['**/node_modules/**', '.lab/**']

export default defineConfig({
  test: {
    exclude: EXCLUDE,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // Two cores: two test files at a time, each in its own process.
        test: { name: 'suite', globalSetup: ['packages/testkit/src/global-setup.ts'], include: ['**/test/**/*.test.ts'], exclude: [...EXCLUDE, ...LIVE_LAB], maxWorkers: 2, sequence: { groupOrder: 0 } }
      },
      {
        extends: true,
        test: {
          name: 'live-lab',
          include: LIVE_LAB,
          globalSetup: ['packages/testkit/src/global-setup.ts', 'packages/testkit/src/live-lab-setup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
