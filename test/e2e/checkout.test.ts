import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCheckoutLab, type CheckoutLab } from './lab.js'

let lab: CheckoutLab
beforeAll(async () => { lab = await startCheckoutLab() })
afterAll(async () => { await lab?.close() })

interface Order { id: string, status: string, amountCents: number, productId: number, quantity: number }

async function json<T> (res: Response): Promise<T> { return await res.json() as T }

async function placeOrder (body: Record<string, unknown>, key = randomUUID(), requestId = randomUUID()): Promise<{ res: Response, order: Order, requestId: string }> {
  const res = await fetch(`${lab.gatewayUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-request-id': requestId },
    body: JSON.stringify(body)
  })
  return { res, order: await json<Order>(res), requestId }
}

async function finalState (orderId: string, timeoutMs = 15_000): Promise<Order> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const order = await json<Order>(await fetch(`${lab.gatewayUrl}/orders/${orderId}`))
    if (order.status !== 'pending' || Date.now() > deadline) return order
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function stock (productId: number): Promise<{ available: number, reserved: number }> {
  return await json(await fetch(`${lab.gatewayUrl}/inventory/stock/${productId}`))
}

/** The stock once it is back to `expected`, or as it is after `timeoutMs`. */
async function stockOnceBack (productId: number, expected: { available: number, reserved: number }, timeoutMs = 5000): Promise<{ available: number, reserved: number }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const now = await stock(productId)
    if ((now.available === expected.available && now.reserved === expected.reserved) || Date.now() > deadline) return now
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function balance (walletId: string): Promise<number> {
  return (await json<{ balanceCents: number }>(await fetch(`${lab.gatewayUrl}/payments/wallets/${walletId}`))).balanceCents
}

describe('checkout through the gateway', () => {
  it('confirms a wallet purchase, charges the wallet once, and one request id follows it through every service', async () => {
    const before = { stock: await stock(3), wallet: await balance('c-0001'), merchant: await balance('merchant') }
    const { res, order, requestId } = await placeOrder({ customerId: 'c-0001', productId: 3, quantity: 2, paymentMethod: 'wallet' })
    expect(res.status).toBe(201)
    expect(order.status).toBe('pending')

    const final = await finalState(order.id)
    expect(final.status).toBe('confirmed')
    expect(await balance('c-0001')).toBe(before.wallet - order.amountCents)
    expect(await balance('merchant')).toBe(before.merchant + order.amountCents)
    const after = await stock(3)
    expect(after.available).toBe(before.stock.available - 2)
    expect(after.reserved).toBe(before.stock.reserved + 2)

    // One notification per event of this order: placed, payment succeeded, confirmed.
    const deadline = Date.now() + 10_000
    let types: string[] = []
    while (types.length < 3 && Date.now() < deadline) {
      const page = await json<{ items: Array<{ type: string }> }>(await fetch(`${lab.gatewayUrl}/notifications?orderId=${order.id}`))
      types = page.items.map((n) => n.type).sort()
      if (types.length < 3) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(types).toEqual(['orders.confirmed.v1', 'orders.placed.v1', 'payments.succeeded.v1'])

    // The id the client sent is in the logs of the gateway, of orders and inventory (HTTP), and of
    // payments and notifications, which only saw it in Kafka message headers.
    expect([...lab.logs.servicesThatLogged(requestId)].sort()).toEqual(expect.arrayContaining(['gateway', 'inventory', 'notifications', 'orders', 'payments']))
  })

  it('confirms a card purchase once the provider\'s signed callback arrives', async () => {
    const { res, order } = await placeOrder({ customerId: 'c-0002', productId: 4, quantity: 1, paymentMethod: 'card' })
    expect(res.status).toBe(201)
    expect((await finalState(order.id)).status).toBe('confirmed')
  })

  it('cancels the order and releases the stock when the provider fails, moving no money', async () => {
    await fetch(`${lab.providerUrl}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) })
    try {
      const before = { stock: await stock(5), wallet: await balance('c-0003') }
      const { res, order } = await placeOrder({ customerId: 'c-0003', productId: 5, quantity: 3, paymentMethod: 'card' })
      expect(res.status).toBe(201)
      expect((await finalState(order.id)).status).toBe('cancelled')
      // Given back at inventory just after the cancellation committed (orders records the release, then makes it).
      expect(await stockOnceBack(5, before.stock)).toMatchObject({ available: before.stock.available, reserved: before.stock.reserved })
      expect(await balance('c-0003')).toBe(before.wallet)
    } finally {
      await fetch(`${lab.providerUrl}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 0 }) })
    }
  })

  it('answers a retried POST with the original order and places nothing twice', async () => {
    const key = randomUUID()
    const body = { customerId: 'c-0004', productId: 6, quantity: 1, paymentMethod: 'wallet' }
    const first = await placeOrder(body, key)
    const before = await stock(6)
    const second = await placeOrder(body, key)
    expect(second.res.status).toBe(first.res.status)
    expect(second.res.headers.get('idempotent-replayed')).toBe('true')
    expect(second.order.id).toBe(first.order.id)
    expect(await stock(6)).toEqual(before)
    const differentBody = await placeOrder({ ...body, quantity: 2 }, key)
    expect(differentBody.res.status).toBe(422)
  })

  it('does not expose internal or admin operations through the gateway', async () => {
    const put = await fetch(`${lab.gatewayUrl}/inventory/stock/3`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ available: 0, priceCents: 1 }) })
    expect(put.status).toBe(404)
    const reserve = await fetch(`${lab.gatewayUrl}/inventory/reservations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reservationId: randomUUID(), productId: 3, quantity: 1 }) })
    expect(reserve.status).toBe(404)
    const callback = await fetch(`${lab.gatewayUrl}/payments/provider-callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(callback.status).toBe(404)
    expect((await stock(3)).available).toBeGreaterThan(0)
  })
})
