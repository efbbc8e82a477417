import { testInfra, uniqueName } from '@lab/testkit'
import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { address, services } from '../../topology.js'

/**
 * The lab's Kafka proxy cannot be bypassed: the services bootstrap through it (KAFKA_BROKERS in the
 * topology), and the broker's PROXIED listener advertises the proxy's address, so every later
 * connection goes through Toxiproxy too. The test uses the lab's own proxy (there is one advertised
 * address), so its toxic lasts about a second and is removed whatever happens.
 */
const servicesBrokers = services.find((s) => s.name === 'notifications')?.env('native').KAFKA_BROKERS ?? ''
const TOXIC = uniqueName('kafka-proxy-test')
const LATENCY_MS = 300

async function toxiproxy (method: string, path: string, body?: unknown): Promise<Response> {
  return await fetch(`${testInfra().toxiproxy.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
}

describe('the Kafka proxy', () => {
  const topic = uniqueName('kafka_proxy')
  const client = (brokers: string) => new kafkajs.Kafka({ clientId: 'kafka-proxy-test', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING })
  let admin: kafkajs.Admin

  beforeAll(async () => {
    expect(servicesBrokers, 'the services bootstrap Kafka through Toxiproxy').not.toBe(address('kafka', 'native'))
    const proxy = await toxiproxy('GET', '/proxies/kafka')
    expect(proxy.status, 'the lab\'s kafka proxy exists (./lab up creates it from infra/topology.ts)').toBe(200)
    admin = client(address('kafka', 'native')).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  })

  afterAll(async () => {
    await toxiproxy('DELETE', `/proxies/kafka/toxics/${TOXIC}`)
    await admin?.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin?.disconnect()
  })

  it('advertises the proxy to clients that bootstrap through it, so they stay on it', async () => {
    const viaProxy = client(servicesBrokers).admin()
    await viaProxy.connect()
    try {
      const { brokers } = await viaProxy.describeCluster()
      expect(brokers.map((b) => `${b.host}:${b.port}`)).toEqual([servicesBrokers])
    } finally {
      await viaProxy.disconnect()
    }
  })

  it('slows every produce of a client configured like the services under a latency toxic, and leaves direct clients alone', async () => {
    const viaProxy = client(servicesBrokers).producer()
    const direct = client(address('kafka', 'native')).producer()
    await Promise.all([viaProxy.connect(), direct.connect()])
    const timedSend = async (producer: kafkajs.Producer) => {
      const started = performance.now()
      await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] })
      return performance.now() - started
    }
    try {
      await timedSend(viaProxy)
      await timedSend(direct)
      const added = await toxiproxy('POST', '/proxies/kafka/toxics', { name: TOXIC, type: 'latency', stream: 'downstream', attributes: { latency: LATENCY_MS, jitter: 0 } })
      expect(added.status).toBe(200)
      const slowed = await timedSend(viaProxy)
      const untouched = Math.min(await timedSend(direct), await timedSend(direct))
      await toxiproxy('DELETE', `/proxies/kafka/toxics/${TOXIC}`)
      expect(slowed).toBeGreaterThanOrEqual(LATENCY_MS)
      expect(untouched).toBeLessThan(LATENCY_MS)
    } finally {
      await Promise.all([viaProxy.disconnect(), direct.disconnect()])
    }
  })
})
