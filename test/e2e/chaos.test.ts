import { randomUUID } from 'node:crypto'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testInfra, uniqueName } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildApp as buildGateway } from '../../gateway/src/app.js'
import { loadGatewayConfig } from '../../gateway/src/config.js'
import { startCheckoutLab, type CheckoutLab } from './lab.js'

const ADMIN_TOKEN = 'e2e-admin-token-0123456789'
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

let lab: CheckoutLab
/** A gateway whose admin API fronts the checkout lab's provider (the lab's own gateway has none). */
let admin: LabApp

beforeAll(async () => {
  lab = await startCheckoutLab()
  admin = await buildGateway(loadGatewayConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    REDIS_URL: testInfra().redisUrl,
    RATE_LIMIT_KEY_PREFIX: `${uniqueName('e2e-admin')}:`,
    CATALOG_UPSTREAMS: 'http://127.0.0.1:9',
    ADMIN_TOKEN,
    TOXIPROXY_URL: testInfra().toxiproxy.apiUrl,
    CHAOS_PROXIES: 'none-here',
    PROVIDER_ADMIN_URL: lab.providerUrl
  }), { registry: new Registry(), defaultMetrics: false })
})

afterAll(async () => {
  await admin?.close()
  await lab?.close()
})

async function cardOrderFinalStatus (customerId: string, productId: number): Promise<string> {
  const res = await fetch(`${lab.gatewayUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ customerId, productId, quantity: 1, paymentMethod: 'card' })
  })
  expect(res.status).toBe(201)
  const { id } = await res.json() as { id: string }
  const deadline = Date.now() + 15_000
  for (;;) {
    const order = await (await fetch(`${lab.gatewayUrl}/orders/${id}`)).json() as { status: string }
    if (order.status !== 'pending' || Date.now() > deadline) return order.status
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('provider errors through the admin API', () => {
  it('cancels card orders while the provider fails every charge, and confirms them again after reset', async () => {
    const on = await admin.inject({ method: 'PUT', url: '/admin/chaos/services/provider/faults', headers: auth, payload: { errorRate: 1 } })
    expect(on.statusCode).toBe(200)
    try {
      expect(await cardOrderFinalStatus('c-0011', 7)).toBe('cancelled')
    } finally {
      const reset = await admin.inject({ method: 'DELETE', url: '/admin/chaos/services/provider/faults', headers: auth })
      expect(reset.json()).toMatchObject({ instances: [{ instance: 'provider', body: { errorRate: 0 } }] })
    }
    // The payments breaker may still be open from the failures: it half-opens after BREAKER_RESET_MS (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect(await cardOrderFinalStatus('c-0012', 8)).toBe('confirmed')
  })
})
