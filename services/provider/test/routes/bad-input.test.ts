import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectErrorBody } from '@lab/testkit'
import { buildProvider, chargeRequest, metricValue, type ProviderUnderTest } from '../build.js'
import { startCallbackReceiver, type CallbackReceiver } from '../callback-receiver.js'

let provider: ProviderUnderTest
let receiver: CallbackReceiver

beforeAll(async () => {
  receiver = await startCallbackReceiver()
  provider = await buildProvider()
})

afterAll(async () => {
  await provider?.app.close()
  await receiver?.close()
})

describe('bad input is a 4xx with the JSON error body, and charges nothing', () => {
  const valid = () => chargeRequest('http://127.0.0.1:9/callbacks')
  const without = (field: string) => { const body: Record<string, unknown> = valid(); delete body[field]; return body }

  it.each([
    ['malformed JSON', '{"chargeId": ', 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['an array body', [valid()], 400, 'VALIDATION_FAILED'],
    ['no chargeId', without('chargeId'), 400, 'VALIDATION_FAILED'],
    ['no amountCents', without('amountCents'), 400, 'VALIDATION_FAILED'],
    ['no currency', without('currency'), 400, 'VALIDATION_FAILED'],
    ['no callbackUrl', without('callbackUrl'), 400, 'VALIDATION_FAILED'],
    ['a chargeId that is not a UUID', { ...valid(), chargeId: 'order-42' }, 400, 'VALIDATION_FAILED'],
    ['a zero amount', { ...valid(), amountCents: 0 }, 400, 'VALIDATION_FAILED'],
    ['a negative amount', { ...valid(), amountCents: -500 }, 400, 'VALIDATION_FAILED'],
    ['a fractional amount', { ...valid(), amountCents: 12.5 }, 400, 'VALIDATION_FAILED'],
    ['an amount as a string', { ...valid(), amountCents: '1299' }, 400, 'VALIDATION_FAILED'],
    ['another currency', { ...valid(), currency: 'USD' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { ...valid(), capture: false }, 400, 'VALIDATION_FAILED'],
    ['a callbackUrl that is not http(s)', { ...valid(), callbackUrl: 'ftp://127.0.0.1/callbacks' }, 400, 'VALIDATION_FAILED'],
    ['a callbackUrl that is not a URL', { ...valid(), callbackUrl: 'payments please' }, 400, 'VALIDATION_FAILED'],
    ['a callbackUrl without a host', { ...valid(), callbackUrl: 'http://:8080/callbacks' }, 400, 'PROVIDER_INVALID_CALLBACK_URL'],
    ['a callbackUrl that does not parse', { ...valid(), callbackUrl: 'http://exa mple.com/x' }, 400, 'PROVIDER_INVALID_CALLBACK_URL'],
    ['a huge body', { ...valid(), callbackUrl: `http://127.0.0.1/${'x'.repeat(100_000)}` }, 413, 'FST_ERR_CTP_BODY_TOO_LARGE']
  ])('rejects %s', async (_name, payload, status, code) => {
    const res = await provider.app.inject({
      method: 'POST',
      url: '/charges',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
    })
    expect(res.statusCode).toBe(status)
    expectErrorBody(res.json(), status, code)
  })

  it('rejects a body that is not JSON (415) and a malformed chargeId in the path (400)', async () => {
    const text = await provider.app.inject({ method: 'POST', url: '/charges', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'amountCents=1299' })
    expect(text.statusCode).toBe(415)
    expectErrorBody(text.json(), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    const path = await provider.app.inject({ method: 'GET', url: '/charges/not-a-uuid' })
    expect(path.statusCode).toBe(400)
    expectErrorBody(path.json(), 400, 'VALIDATION_FAILED')
  })

  it('has stored, decided and called back nothing after all of the above', async () => {
    await sleep(100)
    expect(provider.app.provider.store.size).toBe(0)
    expect(await metricValue(provider.registry, 'provider_charges_total')).toBe(0)
    expect(receiver.deliveries).toHaveLength(0)
  })
})
