import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildProvider, chargeRequest, metricValue, postCharge, type ProviderUnderTest } from '../build.js'
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

async function setFaults (faults: Record<string, number>) {
  const res = await provider.app.inject({ method: 'PUT', url: '/admin/faults', payload: faults })
  expect(res.statusCode).toBe(200)
}

describe('errorRate knob', () => {
  it('with errorRate 1, answers 503 PROVIDER_UNAVAILABLE and stores nothing, charges nothing, calls nobody', async () => {
    await setFaults({ errorRate: 1, latencyMs: 0 })
    const request = chargeRequest(receiver.url)
    const res = await postCharge(provider.app, request)
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ statusCode: 503, code: 'PROVIDER_UNAVAILABLE', error: 'Service Unavailable', message: expect.any(String), requestId: expect.any(String) })
    expect(res.headers['retry-after']).toBe('1')
    expect((await provider.app.inject({ method: 'GET', url: `/charges/${request.chargeId}` })).statusCode).toBe(404)
    await sleep(150)
    expect(receiver.deliveries).toHaveLength(0)
    expect(await metricValue(provider.registry, 'provider_charges_total', { outcome: 'unavailable' })).toBe(1)
    expect(await metricValue(provider.registry, 'provider_charges_total', { outcome: 'accepted' })).toBe(0)

    // Healed: the caller's retry with the same chargeId is then a first charge.
    await setFaults({ errorRate: 0 })
    expect((await postCharge(provider.app, request)).json()).toEqual({ chargeId: request.chargeId, status: 'pending' })
    await vi.waitFor(() => { expect(receiver.deliveries).toHaveLength(1) }, { timeout: 5000, interval: 10 })
  })
})

describe('latencyMs knob', () => {
  it('delays the answer to POST /charges by latencyMs', async () => {
    await setFaults({ errorRate: 0, latencyMs: 300 })
    const started = performance.now()
    const res = await postCharge(provider.app, chargeRequest(receiver.url))
    expect(res.statusCode).toBe(202)
    expect(performance.now() - started).toBeGreaterThanOrEqual(295)
  })

  it('lets a caller\'s timeout fire; the charge is still made, and a retry with its chargeId returns it, not a second one', async () => {
    await setFaults({ errorRate: 0, latencyMs: 400 })
    const address = await provider.app.listen({ host: '127.0.0.1', port: 0 })
    const request = chargeRequest(receiver.url)
    const call = async (timeoutMs: number) => await fetch(`${address}/charges`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal: AbortSignal.timeout(timeoutMs)
    })
    const accepted = await metricValue(provider.registry, 'provider_charges_total', { outcome: 'accepted' })
    await expect(call(100)).rejects.toThrow(/timeout|aborted/i)
    await vi.waitFor(() => { expect(receiver.deliveries.some((d) => d.rawBody.includes(request.chargeId))).toBe(true) }, { timeout: 5000, interval: 10 })

    const retry = await call(5000)
    expect(retry.status).toBe(202)
    expect(await retry.json()).toEqual({ chargeId: request.chargeId, status: 'succeeded' })
    expect(await metricValue(provider.registry, 'provider_charges_total', { outcome: 'accepted' })).toBe(accepted + 1)
    expect(receiver.deliveries.filter((d) => d.rawBody.includes(request.chargeId))).toHaveLength(1)
  })
})

describe('shutdown', () => {
  it('does not wait out an injected latency when closing: the request in flight gets a 503', async () => {
    const other = await buildProvider({ PROVIDER_LATENCY_MS: '30000' })
    const pending = postCharge(other.app, chargeRequest(receiver.url))
    await sleep(50)
    const started = performance.now()
    await other.app.close()
    expect(performance.now() - started).toBeLessThan(2000)
    expect((await pending).statusCode).toBe(503)
  })
})
