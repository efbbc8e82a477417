import { defineConfig } from 'vitest/config'

/**
 * Test files that drive the shared, running native lab (its gateway on :8080, its Prometheus): an
 * experiment breaks it on purpose for seconds at a time, so these run one file at a time, after the
 * rest of the suite, which builds its own apps on the test infrastructure and may run side by side.
 */
const LIVE_LAB = ['experiments/test/**/*.test.ts', 'grafana/test/live.test.ts']
const EXCLUDE = ['**/node_modules/**', '.lab/**']

/**
 * Docker mode (LAB_MODE=docker, set by `./lab test --docker`, never chosen because an engine answers):
 * the Compose stack's proof (test/docker), the dashboards' live check and the experiments that belong
 * in both modes, against the containers; and one integration suite each for PostgreSQL, Redis and
 * Kafka on testcontainers (LAB_TEST_INFRA=docker).
 */
/**
 * The alert's way to the feed runs first, on the freshly started stack. It waits until an earlier
 * firing of its alert (the dashboards' live check parks a dead letter too) has been notified as
 * resolved: Alertmanager sends nothing for an alert that fires again before its group's next flush
 * (docs/alerts.md).
 */
const DOCKER_ALERTS = ['test/docker/alert-pipeline.test.ts']
const DOCKER_LAB = [
  'test/docker/**/*.test.ts',
  'grafana/test/live.test.ts',
  ...['cache-aside', 'stampede', 'redis-down', 'flash-sale', 'provider-failing', 'kafka-down', 'rate-limit-burst', 'replica-kill', 'slow-provider'].map((name) => `experiments/test/${name}.test.ts`)
]
/**
 * One suite per dependency, each needing nothing but its infrastructure and passing in both modes: 200
 * concurrent buyers against PostgreSQL's row locks (optimistic, pessimistic, naive); the catalog's
 * cache-aside on Redis (the rate limiters' algorithms suite was here: once 21 of 20 let through under
 * testcontainers, a request failing open on a slow Redis round trip through docker-proxy); the outbox
 * relay publishing to Kafka and read back (ordering, Kafka unreachable, standby relay, PostgreSQL cut
 * through Toxiproxy).
 */
export const TESTCONTAINERS_SUITES = [
  'services/inventory/test/stock/concurrent-buyers.test.ts',
  'services/catalog/test/cache/cache-aside.test.ts',
  'packages/messaging/test/outbox.test.ts'
]

/** The code's shape (issue 12: the purchase walk, cycles, sizes, duplicates): source files only, no infrastructure. */
const ARCHITECTURE = ['test/architecture/**/*.test.ts']

const nativeProjects = [
  {
    extends: true,
    // Two cores: two test files at a time, each in its own process.
    test: { name: 'suite', globalSetup: ['packages/testkit/src/global-setup.ts'], include: ['**/test/**/*.test.ts'], exclude: [...EXCLUDE, ...LIVE_LAB, ...ARCHITECTURE, 'test/docker/**'], maxWorkers: 2, sequence: { groupOrder: 0 } }
  },
  {
    extends: true,
    test: { name: 'architecture', include: ARCHITECTURE, exclude: EXCLUDE, maxWorkers: 2, sequence: { groupOrder: 0 } }
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

const dockerProjects = [
  {
    extends: true,
    test: { name: 'testcontainers', globalSetup: ['packages/testkit/src/global-setup.ts'], include: TESTCONTAINERS_SUITES, exclude: EXCLUDE, maxWorkers: 2, sequence: { groupOrder: 0 } }
  },
  {
    extends: true,
    test: { name: 'docker-alerts', globalSetup: ['packages/testkit/src/docker-lab-setup.ts'], include: DOCKER_ALERTS, exclude: EXCLUDE, maxWorkers: 1, sequence: { groupOrder: 1 } }
  },
  {
    extends: true,
    test: { name: 'docker-lab', globalSetup: ['packages/testkit/src/docker-lab-setup.ts'], include: DOCKER_LAB, exclude: [...EXCLUDE, ...DOCKER_ALERTS], maxWorkers: 1, sequence: { groupOrder: 2 } }
  }
]

export default defineConfig({
  test: {
    exclude: EXCLUDE,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: process.env.LAB_MODE === 'docker' ? dockerProjects : nativeProjects
  }
})
