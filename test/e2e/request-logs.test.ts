import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCheckoutLab, type CheckoutLab } from './lab.js'

let lab: CheckoutLab
beforeAll(async () => { lab = await startCheckoutLab() })
afterAll(async () => { await lab?.close() })

async function waitFor (what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('request ids in the logs', () => {
  it('are on every line of a purchase: the gateway\'s, the services\' and the Kafka consumers\'', async () => {
    const requestId = `logs-${randomUUID()}`
    const res = await fetch(`${lab.gatewayUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-request-id': requestId },
      body: JSON.stringify({ customerId: 'c-0005', productId: 6, quantity: 1, paymentMethod: 'wallet' })
    })
    expect(res.status).toBe(201)
    const orderId = String(((await res.json()) as { id: string }).id)
    const ofOrder = () => lab.logs.entries.filter((e) => JSON.stringify(e).includes(orderId))
    // The last consumer of the purchase: notifications' line for the confirmation.
    await waitFor('the confirmation\'s notification', () => ofOrder().some((e) => e.service === 'notifications' && e.topic !== undefined && String(e.topic).endsWith('orders.confirmed.v1')))

    const ofRequest = lab.logs.entries.filter((e) => e.reqId === requestId)
    // The gateway's access line, a service's own line (inventory reserved the stock for orders' call)...
    expect(ofRequest).toContainEqual(expect.objectContaining({ service: 'gateway', msg: 'request completed', url: '/orders', statusCode: 201 }))
    expect(ofRequest).toContainEqual(expect.objectContaining({ service: 'inventory', msg: 'stock reserved' }))
    // ... and the consumers (payments charges, orders takes the payment result, notifications tells),
    // which saw the id only in the messages' x-request-id header.
    const consumed = ofRequest.filter((e) => e.topic !== undefined)
    expect([...new Set(consumed.map((e) => e.service))].sort()).toEqual(['notifications', 'orders', 'payments'])
    // Every line that names the order belongs to this purchase and carries its id: none is left without.
    expect(ofOrder().length).toBeGreaterThanOrEqual(consumed.length)
    const missing = ofOrder().filter((e) => e.reqId !== requestId)
    expect(missing).toEqual([])
  })

  it('are made by the gateway when the client sends none, and reach the service behind it', async () => {
    const res = await fetch(`${lab.gatewayUrl}/inventory/stock/7`)
    expect(res.status).toBe(200)
    const made = res.headers.get('x-request-id') ?? ''
    expect(made).toMatch(/^[0-9a-f-]{36}$/)
    await waitFor('both access lines', () => lab.logs.servicesThatLogged(made).size === 2)
    expect([...lab.logs.servicesThatLogged(made)].sort()).toEqual(['gateway', 'inventory'])
  })
})
