import { afterEach, describe, expect, it, vi } from 'vitest'
import { closedPort } from '@lab/testkit'
import { verifyWebhookSignature } from '@lab/webhook-signature'
import { buildProvider, chargeRequest, metricValue, postCharge, TEST_SECRET, type ProviderUnderTest } from '../build.js'
import { startCallbackReceiver, type Answer, type CallbackReceiver, type Delivery } from '../callback-receiver.js'

const teardown: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of teardown.splice(0).reverse()) await close()
})

async function setUp (answer: Answer, env: Record<string, string> = {}): Promise<{ provider: ProviderUnderTest, receiver: CallbackReceiver }> {
  const receiver = await startCallbackReceiver(answer)
  teardown.push(receiver.close)
  const provider = await buildProvider(env)
  teardown.push(async () => { await provider.app.close() })
  return { provider, receiver }
}

const callbacks = async (provider: ProviderUnderTest, outcome: string) => await metricValue(provider.registry, 'provider_callbacks_total', { outcome })
const chargeState = async (provider: ProviderUnderTest, chargeId: string) => (await provider.app.inject({ method: 'GET', url: `/charges/${chargeId}` })).json()
const verifies = (d: Delivery) => verifyWebhookSignature({
  secret: TEST_SECRET, timestamp: d.headers['x-provider-timestamp'], signature: d.headers['x-provider-signature'], rawBody: d.rawBody, now: d.receivedAt, toleranceSeconds: 0
})

describe('callback delivery', () => {
  it('retries a callback the receiver answered 500, after a backoff, re-signed with a fresh timestamp', async () => {
    // Backoff 1.1..2.2 s before the retry, so the second signature falls in a later second than the first.
    const { provider, receiver } = await setUp((n) => n === 1 ? 500 : 204, { PROVIDER_CALLBACK_BASE_DELAY_MS: '2200', PROVIDER_CALLBACK_MAX_DELAY_MS: '2200' })
    const request = chargeRequest(receiver.url)
    await postCharge(provider.app, request)
    await vi.waitFor(() => { expect(receiver.deliveries).toHaveLength(2) }, { timeout: 5000, interval: 10 })

    const [first, second] = receiver.deliveries as [Delivery, Delivery]
    expect(second.rawBody).toBe(first.rawBody)
    expect([first.headers['x-provider-attempt'], second.headers['x-provider-attempt']]).toEqual(['1', '2'])
    // Each signature is made when its attempt is sent (tolerance 0 against the arrival second).
    expect(verifies(first)).toEqual({ ok: true })
    expect(verifies(second)).toEqual({ ok: true })
    expect(Number(second.headers['x-provider-timestamp'])).toBeGreaterThan(Number(first.headers['x-provider-timestamp']))
    expect(second.headers['x-provider-signature']).not.toBe(first.headers['x-provider-signature'])

    await vi.waitFor(async () => { expect(await chargeState(provider, request.chargeId)).toMatchObject({ callback: { state: 'delivered', attempts: 2 } }) })
    expect(await callbacks(provider, 'retried')).toBe(1)
    expect(await callbacks(provider, 'delivered')).toBe(1)
    expect(await callbacks(provider, 'gave_up')).toBe(0)
    expect(await metricValue(provider.registry, 'provider_callbacks_pending')).toBe(0)
  })

  it('gives up after PROVIDER_CALLBACK_MAX_ATTEMPTS failed attempts, and the charge stays readable for reconciliation', async () => {
    const { provider, receiver } = await setUp(() => 503, { PROVIDER_CALLBACK_MAX_ATTEMPTS: '3' })
    const request = chargeRequest(receiver.url)
    await postCharge(provider.app, request)
    await vi.waitFor(async () => { expect(await callbacks(provider, 'gave_up')).toBe(1) }, { timeout: 5000, interval: 10 })
    expect(receiver.deliveries).toHaveLength(3)
    expect(await callbacks(provider, 'retried')).toBe(2)
    expect(await callbacks(provider, 'delivered')).toBe(0)
    expect(await chargeState(provider, request.chargeId)).toMatchObject({ status: 'succeeded', callback: { state: 'gave_up', attempts: 3 } })
  })

  it('retries when the receiver is down (connection refused) or too slow (timeout)', async () => {
    // A port that refuses connections.
    const refusingPort = await closedPort()

    const { provider, receiver } = await setUp((n) => n === 1 ? 'hang' : 204, { PROVIDER_CALLBACK_MAX_ATTEMPTS: '2', PROVIDER_CALLBACK_TIMEOUT_MS: '200' })
    const refused = chargeRequest(`http://127.0.0.1:${refusingPort}/callbacks`)
    const slow = chargeRequest(receiver.url)
    await postCharge(provider.app, refused)
    await postCharge(provider.app, slow)

    await vi.waitFor(async () => {
      expect(await chargeState(provider, refused.chargeId)).toMatchObject({ callback: { state: 'gave_up', attempts: 2 } })
      expect(await chargeState(provider, slow.chargeId)).toMatchObject({ callback: { state: 'delivered', attempts: 2 } })
    }, { timeout: 5000, interval: 20 })
    expect(receiver.deliveries).toHaveLength(2)
  })
})
