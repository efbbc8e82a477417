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

describe('declineRate knob', () => {
  it('with declineRate 1, every charge is decided failed (card_declined) and the callback says so', async () => {
    const knob = await provider.app.inject({ method: 'PUT', url: '/admin/faults', payload: { declineRate: 1 } })
    expect(knob.statusCode).toBe(200)

    const requests = [1, 2, 3].map(() => chargeRequest(receiver.url))
    for (const request of requests) expect((await postCharge(provider.app, request)).statusCode).toBe(202)
    await vi.waitFor(() => { expect(receiver.deliveries).toHaveLength(3) }, { timeout: 5000, interval: 10 })

    for (const delivery of receiver.deliveries) {
      const body = JSON.parse(delivery.rawBody)
      expect(body).toEqual({ chargeId: expect.any(String), status: 'failed', reason: 'card_declined' })
      expect(verifyWebhookSignature({
        secret: TEST_SECRET, timestamp: delivery.headers['x-provider-timestamp'], signature: delivery.headers['x-provider-signature'], rawBody: delivery.rawBody
      })).toEqual({ ok: true })
    }
    const state = await provider.app.inject({ method: 'GET', url: `/charges/${requests[0]?.chargeId ?? ''}` })
    expect(state.json()).toMatchObject({ status: 'failed', reason: 'card_declined' })
    expect(await metricValue(provider.registry, 'provider_charges_total', { outcome: 'failed' })).toBe(3)
    expect(await metricValue(provider.registry, 'provider_charges_total', { outcome: 'succeeded' })).toBe(0)
  })

  it('with declineRate 0 again, charges succeed', async () => {
    await provider.app.inject({ method: 'PUT', url: '/admin/faults', payload: { declineRate: 0 } })
    const request = chargeRequest(receiver.url)
    await postCharge(provider.app, request)
    await vi.waitFor(() => { expect(receiver.deliveries.some((d) => d.rawBody.includes(request.chargeId))).toBe(true) }, { timeout: 5000, interval: 10 })
    const delivery = receiver.deliveries.find((d) => d.rawBody.includes(request.chargeId))
    expect(JSON.parse(delivery?.rawBody ?? '{}')).toEqual({ chargeId: request.chargeId, status: 'succeeded' })
  })
})
