import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import { createEnvelope, type Envelope, type MessageContext } from '../src/index.js'
import { applyBatch, applyOne, type Delivery } from '../src/consumer-apply.js'
import { applyAgainWhile } from '../src/inbox-apply-again.js'
import { log, migratedDatabase, type TestDb } from './helpers.js'

let t: TestDb

beforeAll(async () => {
  t = await migratedDatabase()
  await t.pool.query('CREATE TABLE effects (message_id text NOT NULL)')
})

afterAll(async () => { await t?.close() })

const delivery = (envelope: Envelope, topic: string): Delivery<unknown> => ({
  envelope, ctx: { topic, partition: 0, offset: '0', requestId: envelope.id, log, attempt: 1 } satisfies MessageContext
})
const record = async (client: pg.PoolClient, envelope: Envelope) => { await client.query('INSERT INTO effects (message_id) VALUES ($1)', [envelope.id]) }
const effects = async (id: string) => (await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE message_id = $1', [id])).rows[0]?.n

describe('the inbox check, and its off variant per topic (a pattern switch)', () => {
  it('the inbox check (the default): a redelivered message is skipped, in a batch and alone', async () => {
    const e = createEnvelope('t.v1', 'k', {})
    expect(await applyBatch(t.pool, 'dedupe-on', record, [delivery(e, 'a'), delivery(e, 'a')])).toEqual({ ok: true, processed: [true, false] })
    expect(await applyOne(t.pool, 'dedupe-on', record, delivery(e, 'a'))).toBe(false)
    expect(await effects(e.id)).toBe(1)
  })

  it('off variant for one topic (applyAgainWhile): every delivery of it applies again, another topic is still deduplicated', async () => {
    const inbox = applyAgainWhile((topic) => topic === 'naive')
    const e = createEnvelope('t.v1', 'k', {})
    const other = createEnvelope('t.v1', 'k', {})
    expect(await applyBatch(t.pool, 'dedupe-off', record, [delivery(e, 'naive'), delivery(e, 'naive'), delivery(other, 'safe'), delivery(other, 'safe')], inbox))
      .toEqual({ ok: true, processed: [true, true, true, false] })
    expect(await applyOne(t.pool, 'dedupe-off', record, delivery(e, 'naive'), inbox)).toBe(true)
    expect(await applyOne(t.pool, 'dedupe-off', record, delivery(other, 'safe'), inbox)).toBe(false)
    expect([await effects(e.id), await effects(other.id)]).toEqual([3, 1])
  })
})
