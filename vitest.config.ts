import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.lab/**'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    // Two cores: two test files at a time, each in its own process.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000
  }
})
