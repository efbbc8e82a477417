import { randomUUID } from 'node:crypto'
import autocannon from 'autocannon'
import { customerFor } from '../checkout/plan.js'

/** One request of the mix: what it exercises (`kind`) and what is sent. */
export interface PlannedRequest {
  kind: string
  method: 'GET' | 'POST'
  path: string
  body?: string
}

export interface TrafficPlan {
  /** Products the catalog seeded (ids 1..n) and items inventory stocks. */
  products: number
  stockedItems: number
}

/** The product pages the mix reads again and again (hits once warm). */
export const HOT_PRODUCTS = 100

const order = (sequence: number, plan: TrafficPlan, paymentMethod: 'wallet' | 'card'): PlannedRequest => ({
  kind: `order by ${paymentMethod}`,
  method: 'POST',
  path: '/orders',
  body: JSON.stringify({ customerId: customerFor(sequence), productId: 1 + (sequence * 7919) % plan.stockedItems, quantity: 1, paymentMethod })
})

/**
 * The `sequence`-th request of the mixed traffic, in a cycle of 20 that touches every public route of
 * the gateway and every answer a route gives in normal use, so that most label values (route, method,
 * status code, cache outcome, breaker, payment method) get a series: 40% product-page hits, then one
 * each of a miss, a 404, a 400, a list page, the categories, a stock level, a wallet, an order by wallet,
 * one by card, an unknown order (404), the ledger check and a notifications query.
 */
export function trafficRequest (sequence: number, plan: TrafficPlan): PlannedRequest {
  const slot = sequence % 20
  const get = (kind: string, path: string): PlannedRequest => ({ kind, method: 'GET', path })
  if (slot < 8) return get('product page (hot)', `/catalog/products/${(sequence % HOT_PRODUCTS) + 1}`)
  switch (slot) {
    case 8: return get('product page (cold)', `/catalog/products/${HOT_PRODUCTS + 1 + (sequence * 7919) % Math.max(1, plan.products - HOT_PRODUCTS)}`)
    case 9: return get('unknown product', `/catalog/products/${plan.products + 1 + (sequence % 1000)}`)
    case 10: return get('malformed product id', '/catalog/products/not-a-number')
    case 11: return get('product list', '/catalog/products?limit=20')
    case 12: return get('categories', '/catalog/categories')
    case 13: return get('stock level', `/inventory/stock/${1 + (sequence % plan.stockedItems)}`)
    case 14: return get('wallet', `/payments/wallets/${customerFor(sequence)}`)
    case 15: return order(sequence, plan, 'wallet')
    case 16: return order(sequence, plan, 'card')
    case 17: return get('unknown order', `/orders/${randomUUID()}`)
    case 18: return get('ledger check', '/payments/ledger/consistency')
    default: return get('notifications', `/notifications?orderId=${randomUUID()}`)
  }
}

export interface TrafficSpec {
  base: string
  connections: number
  durationSeconds: number
  /** Requests per second over all connections; as fast as answered without it. */
  rate?: number
  requestOf: (sequence: number) => PlannedRequest
  onTick?: (elapsedSeconds: number, answersLastSecond: number) => void
}

export interface TrafficResult {
  durationSeconds: number
  requests: number
  /** Answers by kind, then by status code. */
  answers: Record<string, Record<string, number>>
  /** Connection errors and timeouts. */
  errors: number
}

/** Adds one answer to the counts by kind and status. */
export function countAnswer (answers: TrafficResult['answers'], kind: string, status: number): void {
  const byStatus = answers[kind] ?? {}
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
  answers[kind] = byStatus
}

/** Answers by status code over all kinds, e.g. { 200: 900, 201: 60, 404: 90, 429: 1200 }. */
export function statusTotals (answers: TrafficResult['answers']): Record<string, number> {
  const totals: Record<string, number> = {}
  for (const byStatus of Object.values(answers)) {
    for (const [status, n] of Object.entries(byStatus)) totals[status] = (totals[status] ?? 0) + n
  }
  return totals
}

interface Context { kind?: string }

/**
 * Sends the planned requests with autocannon (in this process). Each connection has one request in
 * flight, so its context carries the request's kind from setupRequest to onResponse.
 * @see https://github.com/mcollina/autocannon#customizing-sent-requests
 */
export async function driveTraffic (spec: TrafficSpec): Promise<TrafficResult> {
  const answers: TrafficResult['answers'] = {}
  let sequence = 0
  const request: autocannon.Request = {
    setupRequest: (req, context: Context) => {
      const planned = spec.requestOf(sequence++)
      context.kind = planned.kind
      return {
        ...req,
        method: planned.method,
        path: planned.path,
        headers: planned.body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        ...(planned.body === undefined ? {} : { body: planned.body })
      }
    },
    onResponse: (status, _body, context: Context) => { countAnswer(answers, context.kind ?? '?', status) }
  }
  const started = Date.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: spec.base,
      connections: spec.connections,
      duration: spec.durationSeconds,
      requests: [request],
      ...(spec.rate === undefined ? {} : { overallRate: spec.rate })
    }, (err: unknown, res: autocannon.Result) => { err === null || err === undefined ? resolve(res) : reject(err) })
    instance.on('tick', ((tick: { counter: number }) => { spec.onTick?.(Math.round((Date.now() - started) / 1000), tick.counter) }) as () => void)
  })
  return { durationSeconds: result.duration, requests: result.requests.total, answers, errors: result.errors }
}
