import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown, tempDatabase } from '@lab/testkit'
import { dbPool, metricValue, paymentsEnv, SEED_BALANCE_CENTS, SEED_WALLETS, startPayments, type Running } from '../build.js'

let payments: Running
let pool: pg.Pool

beforeAllWithTeardown(async () => {
  const db = await tempDatabase('payments_transfers')
  payments = await startPayments(paymentsEnv(db))
  pool = dbPool(db)
})

async function transfer (body: unknown, key: string | null = randomUUID()) {
  return await payments.app.inject({
    method: 'POST',
    url: '/transfers',
    headers: key === null ? {} : { 'idempotency-key': key },
    payload: body as Record<string, unknown>
  })
}

async function balance (id: string): Promise<number> {
  const res = await payments.app.inject({ method: 'GET', url: `/wallets/${id}` })
  expect(res.statusCode).toBe(200)
  return res.json().balanceCents
}

async function consistency () {
  return (await payments.app.inject({ method: 'GET', url: '/ledger/consistency' })).json()
}

/** idempotent_replays_total{service="payments"}: the family orders counts its replays in. */
async function replays (): Promise<number> {
  return await metricValue(payments.registry, 'idempotent_replays_total', { service: 'payments' })
}

async function ledgerRows (): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries')).rows[0]?.n ?? 0
}

describe('wallets and the ledger', () => {
  it('seeds c-0001 … with 1,000.00 each and a merchant wallet at 0, each balance equal to its ledger', async () => {
    const wallet = (await payments.app.inject({ method: 'GET', url: '/wallets/c-0001' })).json()
    expect(wallet).toMatchObject({ id: 'c-0001', balanceCents: SEED_BALANCE_CENTS, balance: '1000.00' })
    expect(wallet.recentEntries).toEqual([expect.objectContaining({ kind: 'seed', amountCents: SEED_BALANCE_CENTS })])
    expect(await balance('merchant')).toBe(0)
    expect(await consistency()).toEqual({
      totalCents: SEED_WALLETS * SEED_BALANCE_CENTS, seededCents: SEED_WALLETS * SEED_BALANCE_CENTS, walletsMatchingLedger: true, mismatches: [], unbalancedTransfers: 0
    })
  })

  it('creates a wallet whose opening balance is its seed entry; a taken id is 409', async () => {
    const id = `w-${randomUUID().slice(0, 8)}`
    const res = await payments.app.inject({ method: 'POST', url: '/wallets', payload: { id, initialBalance: '25.50' } })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ id, balanceCents: 2550, recentEntries: [{ kind: 'seed', amountCents: 2550 }] })
    const again = await payments.app.inject({ method: 'POST', url: '/wallets', payload: { id } })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('PAYMENTS_WALLET_EXISTS')
    const c = await consistency()
    expect(c.walletsMatchingLedger).toBe(true)
    expect(c.totalCents).toBe(c.seededCents)
  })

  it('answers 404 for an unknown wallet and 400 for an impossible id', async () => {
    expect((await payments.app.inject({ method: 'GET', url: '/wallets/c-9999' })).json().code).toBe('PAYMENTS_WALLET_NOT_FOUND')
    expect((await payments.app.inject({ method: 'GET', url: '/wallets/C%20X' })).statusCode).toBe(400)
  })
})

describe('POST /transfers', () => {
  it('moves money atomically with two ledger entries of one transfer id', async () => {
    const res = await transfer({ fromWalletId: 'c-0002', toWalletId: 'c-0003', amount: '12.34' })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({ fromWalletId: 'c-0002', toWalletId: 'c-0003', amountCents: 1234, amount: '12.34', fromBalanceCents: SEED_BALANCE_CENTS - 1234, toBalanceCents: SEED_BALANCE_CENTS + 1234 })
    const { rows } = await pool.query('SELECT wallet_id, amount_cents::int, kind FROM ledger_entries WHERE transfer_id = $1 ORDER BY amount_cents', [body.transferId])
    expect(rows).toEqual([{ wallet_id: 'c-0002', amount_cents: -1234, kind: 'transfer' }, { wallet_id: 'c-0003', amount_cents: 1234, kind: 'transfer' }])
  })

  it('replays a retry with the same key and body: same answer, nothing moved twice, counted as a replay', async () => {
    const key = randomUUID()
    const body = { fromWalletId: 'c-0004', toWalletId: 'c-0005', amount: 5 }
    const replaysBefore = await replays()
    const first = await transfer(body, key)
    expect(await replays()).toBe(replaysBefore)
    const entries = await ledgerRows()
    const second = await transfer(body, key)
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect(await ledgerRows()).toBe(entries)
    expect(await balance('c-0004')).toBe(SEED_BALANCE_CENTS - 500)
    expect(await replays()).toBe(replaysBefore + 1)
    const reused = await transfer({ ...body, amount: 6 }, key)
    expect(reused.statusCode).toBe(422)
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  it.each([
    ['more than two decimals', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '1.005' }, 400, 'PAYMENTS_INVALID_AMOUNT'],
    ['more than two decimals (number)', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: 0.125 }, 400, 'PAYMENTS_INVALID_AMOUNT'],
    ['a zero amount', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '0.00' }, 400, 'PAYMENTS_INVALID_AMOUNT'],
    ['a negative amount', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: -3 }, 400, 'PAYMENTS_INVALID_AMOUNT'],
    ['the same wallet twice', { fromWalletId: 'c-0006', toWalletId: 'c-0006', amount: '1' }, 400, 'PAYMENTS_SAME_WALLET'],
    ['the merchant wallet', { fromWalletId: 'merchant', toWalletId: 'c-0006', amount: '1' }, 400, 'PAYMENTS_SYSTEM_WALLET'],
    ['an unknown field', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '1', memo: 'x' }, 400, 'VALIDATION_FAILED'],
    ['an unknown source wallet', { fromWalletId: 'c-9999', toWalletId: 'c-0007', amount: '1' }, 404, 'PAYMENTS_WALLET_NOT_FOUND'],
    ['an unknown target wallet', { fromWalletId: 'c-0006', toWalletId: 'c-9998', amount: '1' }, 404, 'PAYMENTS_WALLET_NOT_FOUND'],
    ['an overdraft', { fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '1000.01' }, 422, 'PAYMENTS_INSUFFICIENT_FUNDS']
  ])('refuses %s (%i %s) and changes nothing', async (_name, body, status, code) => {
    const entries = await ledgerRows()
    const res = await transfer(body)
    expect(res.statusCode).toBe(status)
    expect(res.json()).toMatchObject({ statusCode: status, code, message: expect.any(String), requestId: expect.any(String) })
    expect(await ledgerRows()).toBe(entries)
    expect(await balance('c-0006')).toBe(SEED_BALANCE_CENTS)
  })

  it('explains an overdraft: the balance, the amount, nothing moved', async () => {
    const res = await transfer({ fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '2000' })
    expect(res.json().message).toBe('wallet c-0006 holds 100000 cents, less than the 200000 cents asked for; nothing was moved')
  })

  it('remembers a refused transfer: the same key and body get the same 422, even after the wallet is funded', async () => {
    const key = randomUUID()
    const body = { fromWalletId: 'c-0008', toWalletId: 'c-0009', amount: '1500' }
    expect((await transfer(body, key)).statusCode).toBe(422)
    expect((await transfer({ fromWalletId: 'c-0010', toWalletId: 'c-0008', amount: '600' })).statusCode).toBe(201)
    const replaysBefore = await replays()
    const replay = await transfer(body, key)
    expect(await replays()).toBe(replaysBefore + 1) // a stored 4xx answered again is a replay too
    expect(replay.statusCode).toBe(422)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json().code).toBe('PAYMENTS_INSUFFICIENT_FUNDS')
    expect((await transfer(body)).statusCode).toBe(201) // a new key is a new request
  })

  it('needs an Idempotency-Key (400) and rejects malformed JSON (400)', async () => {
    const res = await transfer({ fromWalletId: 'c-0006', toWalletId: 'c-0007', amount: '1' }, null)
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_MISSING')
    const bad = await payments.app.inject({ method: 'POST', url: '/transfers', headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' }, payload: '{"amount": ' })
    expect(bad.statusCode).toBe(400)
  })

  it('conserves money and never overdraws under 100 concurrent transfers across 10 wallets', async () => {
    const wallets = Array.from({ length: 10 }, (_, i) => `c-${String(i + 11).padStart(4, '0')}`)
    const before = await consistency()
    const conflictsBefore = await metricValue(payments.registry, 'optimistic_lock_conflicts_total', { service: 'payments' })
    // Amounts big enough that some wallets run dry: overdrafts must be refused, not half-applied.
    const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const from = wallets[i % 10] as string
      const to = wallets[(i * 7 + 3) % 10] as string
      return await transfer({ fromWalletId: from, toWalletId: to === from ? wallets[(i + 1) % 10] : to, amount: String(150 + (i % 7) * 100) })
    }))
    const statuses = results.map((r) => r.statusCode)
    expect(statuses.every((s) => s === 201 || s === 422 || s === 409)).toBe(true)
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(50)

    const after = await consistency()
    expect(after).toMatchObject({ walletsMatchingLedger: true, mismatches: [], unbalancedTransfers: 0 })
    expect(after.totalCents).toBe(before.totalCents)
    const { rows } = await pool.query<{ min: string }>('SELECT min(balance_cents) AS min FROM wallets WHERE id = ANY($1)', [wallets])
    expect(Number(rows[0]?.min)).toBeGreaterThanOrEqual(0)
    // Committed transfers = the 201s: each wrote exactly one pair of entries.
    const { rows: pairs } = await pool.query<{ n: number }>("SELECT count(DISTINCT transfer_id)::int AS n FROM ledger_entries WHERE kind = 'transfer' AND wallet_id = ANY($1)", [wallets])
    expect(pairs[0]?.n).toBe(statuses.filter((s) => s === 201).length)
    // The contention was real: conditional updates found wallets changed under them, and retried.
    expect(await metricValue(payments.registry, 'optimistic_lock_conflicts_total', { service: 'payments' })).toBeGreaterThan(conflictsBefore)
  })
})
