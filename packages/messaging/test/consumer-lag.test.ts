import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Registry } from 'prom-client'
import { pino } from 'pino'
import type { Producer } from 'kafkajs'
import { createProxy, metricValue, testInfra, uniqueName } from '@lab/testkit'
import {
  ConsumerLagMonitor, IdempotentConsumer, createEnvelope, createKafka, ensureTopics,
  type ConsumerLagMonitorOptions, type IdempotentConsumerOptions, type MessagingLogger
} from '../src/index.js'
import { partitionLag } from '../src/consumer-lag.js'
import { eventually, log, migratedDatabase, testKafka, type TestDb } from './helpers.js'

const kafka = testKafka()
let producer: Producer
let t: TestDb
const monitors: ConsumerLagMonitor[] = []

beforeAll(async () => {
  t = await migratedDatabase()
  producer = kafka.producer()
  await producer.connect()
})
afterEach(async () => { await Promise.all(monitors.splice(0).map(async (m) => { await m.stop() })) })
afterAll(async () => {
  await producer.disconnect()
  await t.close()
})

async function newTopic (): Promise<string> {
  const topic = uniqueName('lag-topic')
  await ensureTopics(kafka, [topic], { partitions: 3 })
  return topic
}

/** Produce `count` messages spread over the partitions; answers how many landed in each. */
async function produce (topic: string, count: number): Promise<Map<number, number>> {
  const perPartition = new Map<number, number>()
  for (let i = 0; i < count; i++) {
    const envelope = createEnvelope(topic, `key-${i}`, { i })
    const [sent] = await producer.send({ topic, messages: [{ key: envelope.key, value: JSON.stringify(envelope) }] })
    if (sent !== undefined) perPartition.set(sent.partition, (perPartition.get(sent.partition) ?? 0) + 1)
  }
  return perPartition
}

function monitor (options: Omit<ConsumerLagMonitorOptions, 'kafka' | 'log'> & Partial<ConsumerLagMonitorOptions>): ConsumerLagMonitor {
  const m = new ConsumerLagMonitor({ kafka, log, intervalMs: 100, ...options })
  monitors.push(m)
  m.start()
  return m
}

async function lag (registry: Registry, group: string, labels: Record<string, string> = {}): Promise<number> {
  return await metricValue(registry, 'kafka_consumer_lag', { group, ...labels })
}

/** Log lines as objects, to count what a component logged. */
function capturingLogger (): { log: MessagingLogger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
  return { log, lines }
}

describe('partitionLag', () => {
  it('is the high watermark minus the committed offset, everything kept when nothing was committed, never negative', () => {
    expect(partitionLag('7', '10', '0')).toBe(3)
    expect(partitionLag('-1', '10', '4')).toBe(6) // never committed: all that is still on the partition
    expect(partitionLag('2', '10', '4')).toBe(6) // committed before what retention kept
    expect(partitionLag('10', '10', '0')).toBe(0)
    expect(partitionLag('12', '10', '0')).toBe(0)
  })
})

describe('ConsumerLagMonitor', () => {
  it('reports every message of a group that never consumed, per partition', async () => {
    const topic = await newTopic()
    const group = uniqueName('lag-group')
    const perPartition = await produce(topic, 12)
    const registry = new Registry()
    monitor({ registry, groupId: group, topics: [topic] })
    await eventually(async () => await lag(registry, group, { topic }) === 12, 10_000, 'lag of 12')
    for (const partition of [0, 1, 2]) {
      expect(await lag(registry, group, { topic, partition: String(partition) })).toBe(perPartition.get(partition) ?? 0)
    }
    const { values } = await registry.getSingleMetric('kafka_consumer_lag')!.get()
    expect(values).toHaveLength(3) // one series per partition, empty ones included
  })

  it('counts only what is still on a partition when retention removed messages nobody read', async () => {
    const topic = await newTopic()
    const group = uniqueName('lag-group')
    const registry = new Registry()
    for (let i = 0; i < 5; i++) await producer.send({ topic, messages: [{ partition: 0, value: `m${i}` }] })
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.fetchTopicMetadata({ topics: [topic] }) // deleteTopicRecords needs the leaders known
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] })
    } finally {
      await admin.disconnect()
    }
    monitor({ registry, groupId: group, topics: [topic] })
    await eventually(async () => (await registry.getSingleMetric('kafka_consumer_lag')!.get()).values.length === 3, 10_000, 'a reading')
    expect(await lag(registry, group, { topic, partition: '0' })).toBe(2)
  })

  it('reads the lag of a stopped consumer group, and 0 once the IdempotentConsumer has caught up', async () => {
    const topic = await newTopic()
    const groupId = uniqueName('lag-group')
    const registry = new Registry()
    const options: IdempotentConsumerOptions = {
      kafka,
      pool: t.pool,
      groupId,
      topics: [topic],
      consumerName: uniqueName('lag-consumer'),
      registry,
      log,
      lagIntervalMs: 100,
      handle: async () => {}
    }
    const first = new IdempotentConsumer(options)
    await first.start()
    await produce(topic, 1)
    await eventually(async () => await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' }) === 1, 20_000, 'first message')
    await eventually(async () => await lag(registry, groupId) === 0, 10_000, 'lag 0 while running')
    await first.stop()

    // Stopped: what arrives now waits, and the lag says how much.
    await produce(topic, 10)
    const standalone = monitor({ registry, groupId, topics: [topic] })
    await eventually(async () => await lag(registry, groupId, { topic }) === 10, 10_000, 'lag of 10 while stopped')
    await standalone.stop()

    const second = new IdempotentConsumer(options)
    await second.start()
    try {
      await eventually(async () => await lag(registry, groupId, { topic }) === 0, 20_000, 'lag back to 0')
      expect(await metricValue(registry, 'consumer_messages_total', { outcome: 'processed' })).toBe(11)
      // Only the consumed topic: the dead-letter topic has no lag series.
      const { values } = await registry.getSingleMetric('kafka_consumer_lag')!.get()
      expect(new Set(values.map((v) => v.labels.topic))).toEqual(new Set([topic]))
    } finally {
      await second.stop()
    }
  }, 60_000)

  it('survives a Kafka outage: no throw, one warning per outage, readings resume silently', async () => {
    const topic = await newTopic()
    const group = uniqueName('lag-group')
    await produce(topic, 3)
    const proxy = await createProxy('kafka')
    const { log: captured, lines } = capturingLogger()
    // The proxy is the only seed broker and each reading connects anew, so cutting it cuts the monitor off.
    const viaProxy = createKafka({ clientId: uniqueName('lag'), brokers: [proxy.address], log: captured, retry: { retries: 0 } })
    const registry = new Registry()
    const warnings = (): number => lines.filter((l) => l.component === 'consumer-lag' && l.level === 40).length
    const failedConnects = (): number => lines.filter((l) => l.component === 'kafkajs' && String(l.msg).startsWith('Connection error')).length
    try {
      const m = monitor({ registry, groupId: group, topics: [topic], kafka: viaProxy, log: captured, intervalMs: 50, maxBackoffMs: 100 })
      await eventually(async () => await lag(registry, group) === 3, 10_000, 'a first reading')
      expect(lines.filter((l) => Number(l.level) >= 30)).toEqual([]) // a healthy reading logs nothing at info or above

      await proxy.disable()
      await eventually(() => failedConnects() >= 4, 10_000, 'several failed readings')
      expect(warnings()).toBe(1)
      expect(await lag(registry, group)).toBe(3) // the last known value stays

      await produce(topic, 2)
      await proxy.enable()
      await eventually(async () => await lag(registry, group) === 5, 10_000, 'readings after the outage')
      expect(warnings()).toBe(1) // recovery is silent

      await proxy.disable()
      await eventually(() => warnings() === 2, 10_000, 'a warning for the second outage')
      const stopping = Date.now()
      await m.stop()
      expect(Date.now() - stopping).toBeLessThan(2000)
    } finally {
      await proxy.remove()
    }
  }, 60_000)

  it('stops at once while kafkajs is still retrying a dead broker', async () => {
    const { log: captured, lines } = capturingLogger()
    const dead = createKafka({ clientId: uniqueName('lag'), brokers: ['127.0.0.1:1'], log: captured }) // default retries: ~17 s per reading
    const m = monitor({ registry: new Registry(), groupId: uniqueName('lag-group'), topics: ['nowhere'], kafka: dead, log: captured })
    await eventually(() => lines.some((l) => l.component === 'kafkajs'), 5000, 'a connection attempt')
    const stopping = Date.now()
    await m.stop()
    expect(Date.now() - stopping).toBeLessThan(1000)
    expect(lines.filter((l) => l.component === 'consumer-lag' && Number(l.level) >= 40)).toHaveLength(0) // stopped, not an outage
  })

  it('does not keep the process alive', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/lag-monitor-left-running.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, testInfra().kafkaBrokers.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill(); reject(new Error(`still running after 15 s: ${output}`)) }, 15_000)
      child.on('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode) })
    })
    expect(code, output).toBe(0)
    expect(output).toContain('lag read')
  }, 20_000)
})
