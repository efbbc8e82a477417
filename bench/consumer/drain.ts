import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kafka } from 'kafkajs'
import type pg from 'pg'
import { Registry, type Counter } from 'prom-client'
import { IdempotentConsumer, type MessagingLogger } from '@lab/messaging'
import { benchGroup, effectRows, insertEffect, type BenchData } from './setup.js'

export interface DrainResult {
  title: string
  /** Messages read (processed + duplicates + dead-lettered). */
  messages: number
  processed: number
  duplicates: number
  deadLettered: number
  /** Rows the handler inserted: one per distinct message if the inbox did its job. */
  effects: number
  /** start() until the group was joined (not counted in the rate). */
  joinSeconds: number
  /** Group joined → the last expected message handled. */
  seconds: number
  perSecond: number
}

export interface DrainSpec {
  title: string
  kafka: Kafka
  pool: pg.Pool
  topic: string
  /** Messages to read before stopping (the whole topic, or a sample of it). */
  expected: number
  log: MessagingLogger
  partitionsConsumedConcurrently?: number
  /** Messages per transaction and offset commit (IdempotentConsumer's default when absent: 100). */
  batchSize?: number
  onProgress?: (messages: number) => void
}

/** consumer_messages_total by outcome, from the consumer's own registry. */
async function outcomes (registry: Registry): Promise<Record<string, number>> {
  const counter = registry.getSingleMetric('consumer_messages_total') as Counter | undefined
  const counts: Record<string, number> = {}
  for (const { labels, value } of (await counter?.get())?.values ?? []) {
    const outcome = String(labels.outcome)
    counts[outcome] = (counts[outcome] ?? 0) + value
  }
  return counts
}

/**
 * @lab/messaging's IdempotentConsumer, as the services configure it, draining `topic` from its start
 * in a new group with a new inbox name; the handler inserts one row (a small real effect). Timed from
 * the group join to the `expected`-th message, read from the consumer's own metrics every 10 ms.
 */
export async function drainIdempotent (spec: DrainSpec): Promise<DrainResult> {
  const run = `${spec.title.replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}`
  const registry = new Registry()
  const consumer = new IdempotentConsumer<BenchData>({
    kafka: spec.kafka,
    pool: spec.pool,
    groupId: benchGroup('bench-consumer'),
    topics: [spec.topic],
    consumerName: `bench-${run}`,
    handle: async (client, envelope) => { await insertEffect(client, run, envelope) },
    log: spec.log,
    registry,
    ...(spec.partitionsConsumedConcurrently === undefined ? {} : { partitionsConsumedConcurrently: spec.partitionsConsumedConcurrently }),
    ...(spec.batchSize === undefined ? {} : { batchSize: spec.batchSize })
  })
  const started = performance.now()
  await consumer.start()
  const joined = performance.now()
  let counts: Record<string, number> = {}
  let total = 0
  let lastProgress = performance.now()
  let tick = 0
  let doneAt = Number.NaN
  try {
    while (total < spec.expected) {
      await sleep(10)
      counts = await outcomes(registry)
      const now = Object.values(counts).reduce((a, b) => a + b, 0)
      if (now > total) lastProgress = performance.now()
      total = now
      if (++tick % 100 === 0) spec.onProgress?.(total)
      if (performance.now() - lastProgress > 30_000) throw new Error(`${spec.title}: stuck at ${total}/${spec.expected} messages for 30 s`)
    }
    doneAt = performance.now()
  } finally {
    await consumer.stop()
  }
  const seconds = (doneAt - joined) / 1000
  const timed = total
  // A sample stops the consumer mid-topic: a message or two more may have gone through by then.
  counts = await outcomes(registry)
  return {
    title: spec.title,
    messages: Object.values(counts).reduce((a, b) => a + b, 0),
    processed: counts.processed ?? 0,
    duplicates: counts.duplicate ?? 0,
    deadLettered: counts.dead_lettered ?? 0,
    effects: await effectRows(spec.pool, run),
    joinSeconds: (joined - started) / 1000,
    seconds,
    perSecond: timed / seconds
  }
}
