import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { verifyWebhookSignature } from '@lab/webhook-signature'
import { buildProvider, chargeRequest, metricValue, postCharge, TEST_SECRET, type ProviderUnderTest } from '../build.js'
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

const deliveriesFor = (chargeId: string) => receiver.deliveries.filter((d) => d.rawBody.includes(chargeId))
const charges = async (outcome: string) => await metricValue(provider.registry, 'provider_charges_total', { outcome })

describe('POST /charges', () => {
  it('accepts a charge (202 pending), then calls back with a signature the receiver can verify', async () => {
    const request = chargeRequest(receiver.url)
    const res = await postCharge(provider.app, request)
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ chargeId: request.chargeId, status: 'pending' })

    await vi.waitFor(() => { expect(deliveriesFor(request.chargeId)).toHaveLength(1) }, { timeout: 5000, interval: 10 })
    const [delivery] = deliveriesFor(request.chargeId)
    if (delivery === undefined) throw new Error('no delivery')
    expect(JSON.parse(delivery.rawBody)).toEqual({ chargeId: request.chargeId, status: 'succeeded' })
    expect(delivery.headers['content-type']).toBe('application/json')
    expect(delivery.headers['x-provider-signature']).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifyWebhookSignature({
      secret: TEST_SECRET,
      timestamp: delivery.headers['x-provider-timestamp'],
      signature: delivery.headers['x-provider-signature'],
      rawBody: delivery.rawBody
    })).toEqual({ ok: true })
    expect(verifyWebhookSignature({
      secret: 'some-other-secret-0123456789',
      timestamp: delivery.headers['x-provider-timestamp'],
      signature: delivery.headers['x-provider-signature'],
      rawBody: delivery.rawBody
    })).toEqual({ ok: false, reason: 'mismatch' })
    // The request id of the POST travels with its callback, so one id follows the payment in the logs.
    expect(delivery.headers['x-request-id']).toBe(res.headers['x-request-id'])

    // The receiver records the callback before its 2xx reaches the provider, which marks it delivered only then: wait for that.
    const state = await vi.waitFor(async () => {
      const got = await provider.app.inject({ method: 'GET', url: `/charges/${request.chargeId}` })
      expect(got.statusCode).toBe(200)
      expect(got.json()).toMatchObject({
        chargeId: request.chargeId, amountCents: 1299, currency: 'EUR', status: 'succeeded', callback: { state: 'delivered', attempts: 1 }
      })
      return got
    }, { timeout: 5000, interval: 10 })
    expect(state.json().decidedAt >= state.json().createdAt).toBe(true)
  })

  it('charges once and calls back once for the same chargeId sent again, even concurrently', async () => {
    const request = chargeRequest(receiver.url)
    const acceptedBefore = await charges('accepted')
    const duplicatesBefore = await charges('duplicate')

    const concurrent = await Promise.all([1, 2, 3].map(async () => await postCharge(provider.app, request)))
    expect(concurrent.map((r) => r.statusCode)).toEqual([202, 202, 202])
    expect(concurrent.map((r) => r.json())).toEqual(Array(3).fill({ chargeId: request.chargeId, status: 'pending' }))
    expect(concurrent.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2)

    await vi.waitFor(() => { expect(deliveriesFor(request.chargeId)).toHaveLength(1) }, { timeout: 5000, interval: 10 })
    // After the decision, a retry answers the decided state, still without charging again.
    const later = await postCharge(provider.app, request)
    expect(later.statusCode).toBe(202)
    expect(later.json()).toEqual({ chargeId: request.chargeId, status: 'succeeded' })
    expect(later.headers['idempotent-replayed']).toBe('true')

    await sleep(200) // time for any second decision or callback to show up: there must be none
    expect(deliveriesFor(request.chargeId)).toHaveLength(1)
    expect(await charges('accepted') - acceptedBefore).toBe(1)
    expect(await charges('duplicate') - duplicatesBefore).toBe(3)
  })

  it('treats the chargeId case-insensitively (a UUID is one UUID)', async () => {
    const request = chargeRequest(receiver.url)
    await postCharge(provider.app, request)
    const upper = await postCharge(provider.app, { ...request, chargeId: request.chargeId.toUpperCase() })
    expect(upper.statusCode).toBe(202)
    expect(upper.json().chargeId).toBe(request.chargeId)
    expect(upper.headers['idempotent-replayed']).toBe('true')
  })

  it.each([
    ['another amount', { amountCents: 1300 }],
    ['another callbackUrl', { callbackUrl: 'http://127.0.0.1:9/elsewhere' }]
  ])('refuses the same chargeId with %s (409) and keeps the original charge', async (_name, change) => {
    const request = chargeRequest(receiver.url)
    expect((await postCharge(provider.app, request)).statusCode).toBe(202)
    const res = await postCharge(provider.app, { ...request, ...change })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'PROVIDER_CHARGE_MISMATCH' })
    const state = await provider.app.inject({ method: 'GET', url: `/charges/${request.chargeId}` })
    expect(state.json()).toMatchObject({ amountCents: 1299 })
    await vi.waitFor(() => { expect(deliveriesFor(request.chargeId)).toHaveLength(1) }, { timeout: 5000, interval: 10 })
  })
})

describe('GET /charges/:chargeId', () => {
  it('answers 404 with the JSON error body for a charge it never saw', async () => {
    const res = await provider.app.inject({ method: 'GET', url: `/charges/${chargeRequest(receiver.url).chargeId}` })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'PROVIDER_CHARGE_NOT_FOUND', requestId: expect.any(String) })
  })
})

describe('memory bound', () => {
  it('forgets the oldest charges beyond PROVIDER_MAX_CHARGES', async () => {
    const small = await buildProvider({ PROVIDER_MAX_CHARGES: '2' })
    try {
      const requests = [1, 2, 3].map(() => chargeRequest(receiver.url))
      for (const request of requests) expect((await postCharge(small.app, request)).statusCode).toBe(202)
      const states = await Promise.all(requests.map(async (r) => (await small.app.inject({ method: 'GET', url: `/charges/${r.chargeId}` })).statusCode))
      expect(states).toEqual([404, 200, 200])
      expect(await metricValue(small.registry, 'provider_charges_stored')).toBe(2)
    } finally {
      await small.app.close()
    }
  })
})
