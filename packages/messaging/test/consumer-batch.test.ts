import type pg from 'pg'
import type { EachBatchPayload, KafkaMessage } from 'kafkajs'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { consumeBatch, type BatchOptions } from '../src/consumer-batch.js'
import { createConsumerMetrics } from '../src/consumer-metrics.js'
import { createEnvelope, type Envelope } from '../src/envelope.js'
import type { MessagingLogger } from '../src/logger.js'
import type { DeadLetter } from '../src/dead-letter.js'
import type { AppliedBatch } from '../src/consumer-observer.js'

/**
 * consumeBatch without Kafka or PostgreSQL: a pool whose one connection keeps the inbox and the
 * handler's effects per transaction (kept on COMMIT, dropped on ROLLBACK), a fetched batch built by
 * hand, and the session's side (offset commits, dead letters, the end of the session) written down.
 * What Kafka and PostgreSQL do with it is consumer.test.ts's part.
 */
function fakeInbox () {
  const inbox = new Set<string>()
  const effects: string[] = []
  let pending: { claimed: string[], effects: string[] } = { claimed: [], effects: [] }
  const client = {
    query: async (q: string | { name?: string, values?: unknown[] }) => {
      if (q === 'BEGIN') pending = { claimed: [], effects: [] }
      if (q === 'COMMIT') { for (const id of pending.claimed) inbox.add(id); effects.push(...pending.effects) }
      if (typeof q === 'string') return { rows: [], rowCount: 0 }
      const ids = q.name === 'messaging.claim-messages' ? q.values?.[1] as string[] : [q.values?.[1] as string]
      const fresh = [...new Set(ids)].filter((id) => !inbox.has(id))
      pending.claimed.push(...fresh)
      return { rows: fresh.map((id) => ({ message_id: id })), rowCount: fresh.length }
    },
    release: () => {},
    record: (effect: string) => { pending.effects.push(effect) }
  }
  return { pool: { connect: async () => client } as unknown as pg.Pool, client, inbox, effects }
}

const silent: MessagingLogger = { level: 'silent', child: () => silent, error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }

interface Harness {
  opts: BatchOptions<{ n: number }>
  commits: string[]
  deadLetters: DeadLetter[]
  applied: AppliedBatch[]
  effects: string[]
  ended: () => boolean
  registry: Registry
}

function harness (overrides: Partial<BatchOptions<{ n: number }>> = {}, failing = new Set<number>()): Harness {
  const { pool, client, effects } = fakeInbox()
  const commits: string[] = []
  const deadLetters: DeadLetter[] = []
  const applied: AppliedBatch[] = []
  const registry = new Registry()
  let ended = false
  const opts: BatchOptions<{ n: number }> = {
    pool,
    consumerName: 'test',
    handle: async (_, envelope) => {
      if (failing.has(envelope.data.n)) throw new Error(`handler refuses ${envelope.data.n}`)
      client.record(envelope.id)
    },
    maxAttempts: 3,
    retryBackoffMs: 1,
    batchSize: 3,
    log: silent,
    metrics: createConsumerMetrics(registry),
    observer: { onBatchApplied: (batch) => { applied.push(batch) } },
    deadLetter: async (letter) => { deadLetters.push(letter) },
    commitOffset: async (topic, partition, offset) => { commits.push(`${topic}/${partition}@${offset}`) },
    sessionEnded: () => ended,
    endSession: () => { ended = true },
    ...overrides
  }
  return { opts, commits, deadLetters, applied, effects, ended: () => ended, registry }
}

function message (offset: number, value: Envelope | string): KafkaMessage {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return { key: null, value: Buffer.from(text), offset: String(offset), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage
}

function payload (messages: KafkaMessage[]): EachBatchPayload {
  return {
    batch: { topic: 'orders', partition: 2, messages },
    resolveOffset: () => {},
    heartbeat: async () => {},
    isRunning: () => true,
    isStale: () => false
  } as unknown as EachBatchPayload
}

const envelopes = (count: number) => Array.from({ length: count }, (_, n) => createEnvelope('orders', `order-${n}`, { n }))

async function outcomes (registry: Registry): Promise<Record<string, number>> {
  const values = (await registry.getSingleMetric('consumer_messages_total')?.get())?.values ?? []
  return Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]))
}

describe('consumeBatch', () => {
  it('applies a fetched batch in runs of batchSize, committing the next offset once per run', async () => {
    const h = harness()
    const sent = envelopes(7)
    await consumeBatch(h.opts, payload(sent.map((e, i) => message(10 + i, e))))
    expect(h.commits).toEqual(['orders/2@13', 'orders/2@16', 'orders/2@17'])
    expect(h.effects).toEqual(sent.map((e) => e.id))
    expect(h.applied.map((b) => b.envelopes.length)).toEqual([3, 3, 1])
    expect(await outcomes(h.registry)).toEqual({ processed: 7 })
  })

  it('tells the observer only what it applied, and skips a redelivered message', async () => {
    const h = harness()
    const [first, second] = envelopes(2) as [Envelope<{ n: number }>, Envelope<{ n: number }>]
    await consumeBatch(h.opts, payload([message(0, first)]))
    await consumeBatch(h.opts, payload([message(0, first), message(1, second)]))
    expect(h.applied.map((b) => b.envelopes.map((e) => e.id))).toEqual([[first.id], [second.id]])
    expect(h.effects).toEqual([first.id, second.id])
    expect(await outcomes(h.registry)).toEqual({ processed: 2, duplicate: 1 })
  })

  it('commits nothing more once the observer throws between the effects and the offset commit, and ends the session', async () => {
    const h = harness({ observer: { onBatchApplied: () => { throw new Error('process died here') } } })
    const sent = envelopes(5)
    await consumeBatch(h.opts, payload(sent.map((e, i) => message(i, e))))
    expect(h.effects).toEqual(sent.slice(0, 3).map((e) => e.id)) // the first run's effects committed ...
    expect(h.commits).toEqual([]) // ... but not its offset, and no run after it
    expect(h.ended()).toBe(true)
    expect(await outcomes(h.registry)).toEqual({})
  })

  it.each([
    ['its session ended', { sessionEnded: () => true }, {}],
    ['the consumer stops', {}, { isRunning: () => false }],
    ['a rebalance took the partition', {}, { isStale: () => true }]
  ])('applies and commits nothing once %s', async (_, options: Partial<BatchOptions<{ n: number }>>, kafka: Partial<EachBatchPayload>) => {
    const h = harness(options)
    await consumeBatch(h.opts, { ...payload(envelopes(2).map((e, i) => message(i, e))), ...kafka })
    expect(h.commits).toEqual([])
    expect(h.effects).toEqual([])
  })

  it('sends a malformed message to the dead-letter topic at once and commits past it', async () => {
    const h = harness()
    const [good] = envelopes(1) as [Envelope<{ n: number }>]
    await consumeBatch(h.opts, payload([message(0, 'not json'), message(1, good)]))
    expect(h.deadLetters).toEqual([expect.objectContaining({ topic: 'orders', partition: 2, consumer: 'test', attempts: 0, error: expect.stringContaining('malformed JSON') })])
    expect(h.effects).toEqual([good.id])
    expect(h.commits).toEqual(['orders/2@2'])
    expect(await outcomes(h.registry)).toEqual({ processed: 1, dead_lettered: 1 })
  })

  it('retries a failing handler alone, maxAttempts times, then dead-letters it and moves on', async () => {
    const h = harness({}, new Set([1]))
    const sent = envelopes(3)
    await consumeBatch(h.opts, payload(sent.map((e, i) => message(i, e))))
    expect(h.effects).toEqual([sent[0]?.id, sent[2]?.id])
    expect(h.deadLetters).toEqual([expect.objectContaining({ attempts: 3, error: 'Error: handler refuses 1' })])
    expect(h.commits).toEqual(['orders/2@3'])
    expect(await outcomes(h.registry)).toEqual({ processed: 2, retried: 2, dead_lettered: 1 })
  })
})
