import { ensureInfra, stopComponents } from '@lab/infra/native'
import { DB_PASSWORD, DB_USER, address, infra as components } from '@lab/infra/topology'
import type { TestInfra } from './infra.js'

const NEEDED = ['postgres', 'redis', 'kafka', 'toxiproxy']

function port (name: string): number {
  const c = components.find((x) => x.name === name)
  if (c === undefined) throw new Error(`topology has no ${name}`)
  return c.ports.native
}

/**
 * Uses the native lab's PostgreSQL, Redis, Kafka and Toxiproxy: starts the ones not running yet (in the
 * fast, test-only durability mode) and stops only those again at the end.
 */
export async function startNative (log: (line: string) => void): Promise<{ infra: TestInfra, stop: () => Promise<void> }> {
  const { started } = await ensureInfra({ components: NEEDED, fast: true, log })
  const infra: TestInfra = {
    mode: 'native',
    postgres: { host: '127.0.0.1', port: port('postgres'), user: DB_USER, password: DB_PASSWORD },
    redisUrl: `redis://${address('redis', 'native')}`,
    kafkaBrokers: [address('kafka', 'native')],
    toxiproxy: {
      apiUrl: `http://${address('toxiproxy', 'native')}`,
      listenHost: '127.0.0.1',
      upstreams: { postgres: address('postgres', 'native'), redis: address('redis', 'native'), kafka: address('kafka', 'native') }
    }
  }
  return { infra, stop: async () => { await stopComponents(started) } }
}
