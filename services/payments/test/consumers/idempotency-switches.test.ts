import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown } from '@lab/testkit'
import type { Envelope } from '@lab/messaging'
import { eventually, metricValue, orderPlaced, startPaymentsWithProvider, type PaymentsWithProvider, type Running } from '../build.js'
import { TOPICS } from '../../src/events.js'

let pool: pg.Pool
let payments: Running
let send: PaymentsWithProvider['send']
let placedTopic: string

beforeAllWithTeardown(async () => {
  let env: Record<string, string>
  ;({ pool, payments, send, env } = await startPaymentsWithProvider('payments_idem_switches'))
  placedTopic = `${env.TOPIC_PREFIX}${TOPICS.ordersPlaced}`
})

const switches = async (method: 'PUT' | 'DELETE', payload?: Record<string, boolean>) => {
  const res = await payments.app.inject({ method, url: '/admin/switches', ...(payload === undefined ? {} : { payload }) })
  expect(res.statusCode).toBe(200)
  return res.json()
}

/** Ledger charge transfers naming the order. */
async function charges (orderId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("SELECT count(DISTINCT transfer_id)::int AS n FROM ledger_entries WHERE kind = 'charge' AND reference = $1", [`order:${orderId}`])
  return rows[0]?.n ?? 0
}

const placed = async (outcome: 'processed' | 'duplicate') => await metricValue(payments.registry, 'consumer_messages_total', { consumer: 'payments', topic: placedTopic, outcome })

/** Sends `copies` deliveries of one order event and waits until the consumer has read all of them. */
async function deliver (order: Envelope, copies: number): Promise<void> {
  const before = await placed('processed') + await placed('duplicate')
  for (let i = 0; i < copies; i++) await send('ordersPlaced', order)
  await eventually(async () => await placed('processed') + await placed('duplicate') - before >= copies ? true : undefined, 20_000, `${copies} deliveries consumed`)
}

async function consistency () {
  return (await payments.app.inject({ method: 'GET', url: '/ledger/consistency' })).json()
}

describe('the idempotent-consumer switch (orders.placed.v1 charges)', () => {
  it('on: an event delivered three times charges its order once', async () => {
    const order = orderPlaced('c-0001', 1234)
    await deliver(order, 3)
    expect(await charges(order.data.orderId)).toBe(1)
  })

  it('off: every delivery charges again (double charge in the ledger, the wallet still equal to it); reset: on again, replays skipped', async () => {
    expect(await switches('PUT', { 'idempotent-consumer': false })).toMatchObject({ 'idempotent-consumer': false, 'idempotency-key': true })
    expect(await metricValue(payments.registry, 'lab_pattern_enabled', { pattern: 'idempotent-consumer' })).toBe(0)
    const order = orderPlaced('c-0002', 2500)
    await deliver(order, 2)
    expect(await charges(order.data.orderId)).toBe(2)
    const wallet = (await payments.app.inject({ method: 'GET', url: '/wallets/c-0002' })).json()
    expect(wallet.balanceCents).toBe(100_000 - 2 * 2500)
    // The naive consumer breaks the charge promise, not the ledger's: every movement is still double entry.
    expect(await consistency()).toMatchObject({ walletsMatchingLedger: true, unbalancedTransfers: 0 })

    expect(await switches('DELETE')).toMatchObject({ 'idempotent-consumer': true })
    const skipped = await placed('duplicate')
    await deliver(order, 1)
    expect(await placed('duplicate')).toBe(skipped + 1)
    expect(await charges(order.data.orderId)).toBe(2)
  })
})

describe('the idempotency-key switch (POST /transfers)', () => {
  const transfer = async (key: string) => await payments.app.inject({
    method: 'POST', url: '/transfers', headers: { 'idempotency-key': key }, payload: { fromWalletId: 'c-0005', toWalletId: 'c-0006', amount: '3.00' }
  })
  const transfers = async () => (await pool.query<{ n: number }>("SELECT count(DISTINCT transfer_id)::int AS n FROM ledger_entries WHERE kind = 'transfer'")).rows[0]?.n ?? 0

  it('on: a retry with the same key is replayed, one transfer', async () => {
    const before = await transfers()
    const key = randomUUID()
    const [first, retry] = [await transfer(key), await transfer(key)]
    expect([first.statusCode, retry.statusCode]).toEqual([201, 201])
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json().transferId).toBe(first.json().transferId)
    expect(await transfers()).toBe(before + 1)
  })

  it('off: the key is ignored and the retry moves the money again; reset: keys honoured again', async () => {
    await switches('PUT', { 'idempotency-key': false })
    const before = await transfers()
    const key = randomUUID()
    const [first, retry] = [await transfer(key), await transfer(key)]
    expect([first.statusCode, retry.statusCode]).toEqual([201, 201])
    expect(retry.headers['idempotent-replayed']).toBeUndefined()
    expect(retry.json().transferId).not.toBe(first.json().transferId)
    expect(await transfers()).toBe(before + 2)

    await switches('DELETE')
    const again = randomUUID()
    await transfer(again)
    expect((await transfer(again)).headers['idempotent-replayed']).toBe('true')
    expect(await transfers()).toBe(before + 3)
  })
})
