import { describe, expect, it } from 'vitest'
import { address, infra, KAFKA_CONTROLLER_PORT, KAFKA_PROXIED_PORT, proxied } from '../topology.js'
import { kafkaServerProperties } from '../native/components/kafka-config.js'
import { committedCompose } from './repo.js'

/**
 * The apache/kafka image turns `KAFKA_*` variables into server.properties: `_` → `.`, `__` → `_`,
 * `___` → `-`. This is the reverse mapping.
 * @see https://github.com/apache/kafka/blob/trunk/docker/examples/README.md
 */
const envName = (property: string): string =>
  `KAFKA_${property.replaceAll('_', '__').replaceAll('-', '___').replaceAll('.', '_').toUpperCase()}`

/** Settings that name addresses or paths, which differ between the modes by design. */
const PER_MODE = ['listeners', 'advertised.listeners', 'controller.quorum.voters', 'log.dirs'].map(envName)
/** Read by the image's scripts, not broker settings. */
const IMAGE_ONLY = ['KAFKA_HEAP_OPTS']

describe('Kafka in Docker', () => {
  const environment = committedCompose().services.kafka?.environment ?? {}
  const kafka = infra.find((c) => c.name === 'kafka')

  it('runs the broker with the same settings as the native one, apart from its addresses', () => {
    const native = kafkaServerProperties({ port: 1, controllerPort: 2, logDir: '/unused', proxied: { port: 3, advertised: 'unused:4' } })
      .split('\n')
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => [envName(line.slice(0, line.indexOf('='))), line.slice(line.indexOf('=') + 1)] as const)
      .filter(([name]) => !PER_MODE.includes(name))
    const docker = Object.entries(environment).filter(([name]) => name.startsWith('KAFKA_') && !PER_MODE.includes(name) && !IMAGE_ONLY.includes(name))
    expect(Object.fromEntries(docker)).toEqual(Object.fromEntries(native))
  })

  it('keeps every replication factor and min ISR at 1, as one broker needs', () => {
    const factors = Object.entries(environment).filter(([name]) => /REPLICATION_FACTOR|MIN_ISR|MIN_INSYNC/.test(name))
    expect(factors.map(([name]) => name)).toEqual(expect.arrayContaining([
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR'
    ]))
    for (const [name, value] of factors) expect(value, name).toBe('1')
    expect(environment.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0')
  })

  it('listens and advertises on its topology ports, controller included, and the PROXIED listener as the Toxiproxy proxy', () => {
    expect(environment.KAFKA_LISTENERS).toBe(`PLAINTEXT://:${kafka?.ports.docker},PROXIED://:${KAFKA_PROXIED_PORT.docker},CONTROLLER://:${KAFKA_CONTROLLER_PORT.docker}`)
    expect(environment.KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${address('kafka', 'docker')},PROXIED://${proxied('kafka', 'docker')}`)
    expect(environment.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`1@localhost:${KAFKA_CONTROLLER_PORT.docker}`)
  })

  it('formats its storage with a valid KRaft cluster id and keeps the heap inside the memory limit', () => {
    expect(Buffer.from(environment.CLUSTER_ID ?? '', 'base64url')).toHaveLength(16)
    const heapMb = Number(/-Xmx(\d+)m/.exec(environment.KAFKA_HEAP_OPTS ?? '')?.[1])
    expect(heapMb).toBeGreaterThan(0)
    expect(heapMb).toBeLessThanOrEqual((kafka?.memoryMb ?? 0) / 2)
  })
})
