import { randomInt, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Faults { errorRate: number, latencyMs: number, declineRate: number }
export interface Order { id: string, status: string }
export interface OrderBody { customerId: string, productId: number, quantity: number, paymentMethod: 'wallet' | 'card' }

const json = { 'content-type': 'application/json' }

/**
 * fetch, waiting out 429s (for Retry-After seconds) up to `patienceMs`: the gateway limits per client
 * address, and on a shared lab another engineer's load from 127.0.0.1 spends the same budget.
 */
async function fetchPastRateLimit (url: string, init?: RequestInit, patienceMs = 30_000): Promise<Response> {
  const deadline = Date.now() + patienceMs
  for (;;) {
    const res = await fetch(url, init)
    if (res.status !== 429 || Date.now() > deadline) return res
    await res.arrayBuffer()
    await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000 + randomInt(0, 200))
  }
}

/**
 * Drives the running lab the way a user does: through the gateway, and through the provider's fault
 * knobs (private to the topology; the gateway does not expose them). Uses the seeded data: products
 * 1..10,000 in the catalog and inventory, wallets c-0001..c-1000.
 */
export class LabTraffic {
  constructor (readonly urls: { gateway: string, provider: string, payments: string }) {}

  /** A product page read twice: the first a miss (loaded from PostgreSQL), the second a hit (Redis). */
  async cacheMissThenHit (attempts = 50): Promise<{ productId: number, first: string, second: string }> {
    for (let i = 0; i < attempts; i++) {
      const productId = randomInt(1, 10_001)
      const first = await this.productPage(productId)
      if (first !== 'miss') continue // cached by earlier traffic: try another
      return { productId, first, second: await this.productPage(productId) }
    }
    throw new Error(`no uncached product page found in ${attempts} tries`)
  }

  async productPage (productId: number): Promise<string> {
    const res = await fetchPastRateLimit(`${this.urls.gateway}/catalog/products/${productId}`)
    await res.arrayBuffer()
    return res.headers.get('x-cache') ?? `status ${res.status}`
  }

  /**
   * Bursts of `size` concurrent reads of one page until one gets a 429: more than the default budget
   * (100 per second per client) if they arrive within a second, which a starved machine can spread out.
   */
  async burstUntilLimited (productId: number, size: number, rounds = 5): Promise<{ rounds: number, statuses: Map<number, number> }> {
    let statuses = new Map<number, number>()
    for (let round = 1; round <= rounds; round++) {
      statuses = await this.burst(productId, size)
      if ((statuses.get(429) ?? 0) > 0) return { rounds: round, statuses }
    }
    return { rounds, statuses }
  }

  /** `count` concurrent reads of one page. */
  async burst (productId: number, count: number): Promise<Map<number, number>> {
    const statuses = await Promise.all(Array.from({ length: count }, async () => {
      const res = await fetch(`${this.urls.gateway}/catalog/products/${productId}`)
      await res.arrayBuffer()
      return res.status
    }))
    const counts = new Map<number, number>()
    for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1)
    return counts
  }

  /** One unit of a random product for a random seeded customer. */
  orderBody (paymentMethod: 'wallet' | 'card'): OrderBody {
    return { customerId: `c-${String(randomInt(1, 1001)).padStart(4, '0')}`, productId: randomInt(1, 10_001), quantity: 1, paymentMethod }
  }

  /**
   * A wallet order that can succeed: a product in stock whose price the customer's wallet covers
   * (prices go up to hundreds of euros, and other engineers' load spends the seeded balances).
   */
  async payableWalletOrder (attempts = 20): Promise<OrderBody> {
    for (let i = 0; i < attempts; i++) {
      const body = this.orderBody('wallet')
      const stock = await (await fetchPastRateLimit(`${this.urls.gateway}/inventory/stock/${body.productId}`)).json() as { available?: number, priceCents?: number }
      const wallet = await (await fetchPastRateLimit(`${this.urls.gateway}/payments/wallets/${body.customerId}`)).json() as { balanceCents?: number }
      if ((stock.available ?? 0) > 0 && (stock.priceCents ?? Infinity) <= (wallet.balanceCents ?? 0)) return body
    }
    throw new Error(`no product in stock that a seeded wallet can pay for in ${attempts} tries (./lab down --wipe reseeds)`)
  }

  async placeOrder (body: OrderBody, key = randomUUID()): Promise<{ status: number, order: Order, replayed: boolean }> {
    const res = await fetchPastRateLimit(`${this.urls.gateway}/orders`, { method: 'POST', headers: { ...json, 'idempotency-key': key }, body: JSON.stringify(body) })
    return { status: res.status, order: await res.json() as Order, replayed: res.headers.get('idempotent-replayed') === 'true' }
  }

  /** Polls GET /orders/:id until the saga has decided (confirmed or cancelled). */
  async finalState (orderId: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const order = await (await fetchPastRateLimit(`${this.urls.gateway}/orders/${orderId}`)).json() as Order
      if (order.status !== 'pending' || Date.now() > deadline) return order.status
      await sleep(100)
    }
  }

  async faults (): Promise<Faults> {
    return await (await fetch(`${this.urls.provider}/admin/faults`)).json() as Faults
  }

  async setFaults (faults: Partial<Faults>): Promise<Faults> {
    const res = await fetch(`${this.urls.provider}/admin/faults`, { method: 'PUT', headers: json, body: JSON.stringify(faults) })
    if (!res.ok) throw new Error(`PUT /admin/faults answered ${res.status}: ${await res.text()}`)
    return await res.json() as Faults
  }

  /** payments' breaker around the provider, as its /metrics says right now: 0 closed, 1 half-open, 2 open. */
  async providerBreakerState (): Promise<number> {
    const text = await (await fetch(`${this.urls.payments}/metrics`)).text()
    const line = text.split('\n').find((l) => l.startsWith('circuit_breaker_state{') && l.includes('breaker="provider"'))
    if (line === undefined) throw new Error('payments exports no circuit_breaker_state{breaker="provider"}')
    return Number(line.slice(line.lastIndexOf(' ') + 1))
  }

  /**
   * Makes every charge fail and places card orders until the payments → provider breaker is open.
   * The knobs stay broken: the caller puts them back (restoreFaults) whatever happens.
   */
  async tripProviderBreaker (maxOrders = 10): Promise<{ orders: number, cancelled: number }> {
    await this.setFaults({ errorRate: 1 })
    // Payments' retry budget leaves about one call per sequential order: too few in the breaker's 10 s
    // window to reach its volume threshold. Off for the trip, so each order makes its 3 calls again.
    await this.setPaymentsSwitches({ 'retry-budget': false })
    try {
      let cancelled = 0
      for (let orders = 1; orders <= maxOrders; orders++) {
        const { order } = await this.placeOrder(this.orderBody('card'))
        if (await this.finalState(order.id) === 'cancelled') cancelled++
        if (await this.providerBreakerState() === 2) return { orders, cancelled }
      }
      throw new Error(`the provider breaker did not open after ${maxOrders} card orders with errorRate 1`)
    } finally {
      await this.setPaymentsSwitches({ 'retry-budget': true })
    }
  }

  async setPaymentsSwitches (changes: Record<string, boolean>): Promise<void> {
    const res = await fetch(`${this.urls.payments}/admin/switches`, { method: 'PUT', headers: json, body: JSON.stringify(changes) })
    if (!res.ok) throw new Error(`PUT payments /admin/switches answered ${res.status}: ${await res.text()}`)
  }

  /**
   * Puts the breaker back to closed: once its reset timeout has let it go half-open, one card order
   * (with the provider healthy again) is its successful probe.
   */
  async closeProviderBreaker (timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (await this.providerBreakerState() !== 0) {
      if (Date.now() > deadline) throw new Error(`the provider breaker is still not closed after ${timeoutMs} ms`)
      if (await this.providerBreakerState() === 1) {
        const { order } = await this.placeOrder(this.orderBody('card'))
        await this.finalState(order.id)
      } else {
        await sleep(500)
      }
    }
  }
}
