import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type pg from 'pg'
import { beforeAllWithTeardown, tempDatabase } from '@lab/testkit'
import { dbPool, paymentsEnv, startPayments, type Running } from '../build.js'

let payments: Running
let pool: pg.Pool

beforeAllWithTeardown(async () => {
  const db = await tempDatabase('payments_bad_input')
  payments = await startPayments(paymentsEnv(db))
  pool = dbPool(db)
})

/** Rows a transfer would leave: ledger entries and idempotency keys. */
async function storedRows (): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM ledger_entries) + (SELECT count(*) FROM idempotency_keys) AS n')
  return Number(rows[0]?.n ?? 0)
}

async function rawTransfer (payload: string | Buffer) {
  return await payments.app.inject({
    method: 'POST',
    url: '/transfers',
    headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
    payload
  })
}

describe('bad input to POST /transfers', () => {
  it.each([
    ['a NUL in the reference', '{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":"1.00","reference":"a\\u0000b"}', 'INPUT_NUL_CHARACTER'],
    ['an amount written " 1"', '{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":" 1"}', 'PAYMENTS_INVALID_AMOUNT'],
    ['an amount written "1 "', '{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":"1 "}', 'PAYMENTS_INVALID_AMOUNT'],
    ['the amount given twice', '{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":"1.00","amount":"900.00"}', 'INPUT_DUPLICATE_JSON_KEY'],
    ['the source wallet given twice', '{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":"1.00","fromWalletId":"c-0003"}', 'INPUT_DUPLICATE_JSON_KEY'],
    ['invalid UTF-8 in the reference', Buffer.concat([Buffer.from('{"fromWalletId":"c-0001","toWalletId":"c-0002","amount":"1.00","reference":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 'INPUT_INVALID_UTF8']
  ])('answers %s with 400 and a JSON error body, and moves and stores nothing', async (_case, payload, code) => {
    const before = await storedRows()
    const res = await rawTransfer(payload)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ statusCode: 400, code, error: 'Bad Request', requestId: expect.any(String) })
    expect(await storedRows()).toBe(before)
  })

  it('answers a NUL in a wallet id in the path with 400, not a 500 from PostgreSQL', async () => {
    const res = await payments.app.inject({ method: 'GET', url: '/wallets/c-0001%00' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'INPUT_NUL_CHARACTER' })
  })
})
