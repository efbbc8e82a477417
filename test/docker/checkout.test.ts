import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { chargesOfOrders } from '../../experiments/src/payments-ledger.js'
import { composeLogs, json, stack, until } from './stack.js'

/**
 * The Compose stack's checkout, end to end through the published gateway: every service in its own
 * container, on the containerised PostgreSQL and Kafka, reached through Toxiproxy as the compose file
 * wires them.
 */
interface Order { id: string, status: string, amountCents: number }

const payments = stack.database('payments')
afterAll(async () => { await payments.end() })

const balance = async (walletId: string) => (await json<{ balanceCents: number }>(await fetch(`${stack.gateway}/payments/wallets/${walletId}`))).balanceCents

async function placeOrder (body: Record<string, unknown>, requestId: string): Promise<Order> {
  const res = await fetch(`${stack.gateway}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-request-id': requestId },
    body: JSON.stringify(body)
  })
  expect(res.status).toBe(201)
  return await res.json() as Order
}

const finalState = async (orderId: string) => await until('the order\'s final state', async () => {
  const order = await json<Order>(await fetch(`${stack.gateway}/orders/${orderId}`))
  return order.status === 'pending' ? undefined : order
}, 30_000)

describe('Docker mode: checkout through the Compose stack', () => {
  it('confirms a wallet purchase and charges the wallet exactly once, in the ledger too', async () => {
    // A wallet of its own among the seeded ones, so no other test's purchase moves it meanwhile.
    const customer = `c-${String(900 + Math.floor(Math.random() * 100)).padStart(4, '0')}`
    const before = await balance(customer)
    const order = await placeOrder({ customerId: customer, productId: 11, quantity: 1, paymentMethod: 'wallet' }, randomUUID())
    expect((await finalState(order.id)).status).toBe('confirmed')
    expect(await balance(customer)).toBe(before - order.amountCents)
    // The ledger: one charge transfer for the order, for its amount.
    expect(await chargesOfOrders(payments, [order.id])).toEqual({ orders: 1, chargedTwice: 0, chargedCents: order.amountCents, orderCents: order.amountCents })
  })

  it('confirms a card purchase once the provider\'s signed callback comes back through Toxiproxy', async () => {
    const order = await placeOrder({ customerId: 'c-0002', productId: 12, quantity: 1, paymentMethod: 'card' }, randomUUID())
    expect((await finalState(order.id)).status).toBe('confirmed')
  })

  it('follows one request id through every service\'s docker compose logs', async () => {
    const since = new Date(Date.now() - 2000)
    const requestId = `docker-logs-${randomUUID()}`
    const order = await placeOrder({ customerId: 'c-0003', productId: 13, quantity: 1, paymentMethod: 'wallet' }, requestId)
    await finalState(order.id)
    const services = ['gateway', 'inventory', 'orders', 'payments', 'notifications']
    const seen = await until('the request id in every service\'s logs', async () => {
      const withId: string[] = []
      for (const service of services) {
        if ((await composeLogs(service, since)).some((line) => line.reqId === requestId)) withId.push(service)
      }
      return withId.length === services.length ? withId : undefined
    }, 20_000, 1000)
    expect(seen).toEqual(services)
  })
})
