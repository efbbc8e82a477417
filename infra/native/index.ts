/**
 * The native runner's programmatic API, for the test kit's global setup: make sure the lab's
 * infrastructure runs (starting only what is missing), and stop afterwards only what was started.
 */
import { allComponents, TEST_INFRA, withDependencies } from './components/registry.js'
import { processOwner } from './leases.js'
import { EnsureError, ensureComponents, releaseComponents } from './orchestrator.js'
import { labPaths } from './paths.js'

export { labHome } from './config.js'
export { TEST_INFRA } from './components/registry.js'
// For the test kit's private (stoppable) Kafka: the same jars and server.properties as the lab's.
export { labPaths } from './paths.js'
export { kafkaLog4j2Properties, kafkaServerProperties, newClusterId } from './components/kafka-config.js'

export interface EnsureInfraOptions {
  /** Component names from infra/topology.ts; default: what tests need (postgres, redis, kafka, toxiproxy). */
  components?: string[]
  /** Test-only durability for components this call starts (Postgres without fsync). */
  fast?: boolean
  log?: (line: string) => void
}

/**
 * Starts the components that are not running and healthy yet, and waits until all are. Safe when they
 * already run (`./lab up`): then it starts nothing. Concurrent callers are serialised by a lock file,
 * and each holds a lease (run/leases/) until stopComponents or its exit, so that no other caller stops
 * what it uses. When one fails, the ones this call started are stopped again before the error is thrown.
 */
export async function ensureInfra (options: EnsureInfraOptions = {}): Promise<{ started: string[] }> {
  const { components = TEST_INFRA, fast = false, log = () => {} } = options
  const paths = labPaths()
  const targets = withDependencies(allComponents(paths), components)
  try {
    const { started } = await ensureComponents(paths, targets, { fast, log, owner: processOwner() })
    return { started }
  } catch (err) {
    if (err instanceof EnsureError && err.started.length > 0) await stopComponents(err.started, log)
    throw err
  }
}

/**
 * Ends this process' use of the lab and stops the named components (those ensureInfra started),
 * dependents first, except those another live user still holds (a `./lab up`, another test run): the
 * last of those to leave stops them. Data is kept.
 */
export async function stopComponents (names: string[], log: (line: string) => void = () => {}): Promise<void> {
  const paths = labPaths()
  const all = allComponents(paths)
  const unknown = names.filter((name) => !all.some((c) => c.name === name))
  if (unknown.length > 0) throw new Error(`unknown component(s): ${unknown.join(', ')}`)
  await releaseComponents(paths, processOwner(), names, all, log)
}
