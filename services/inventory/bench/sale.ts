import { randomUUID } from 'node:crypto'
import autocannon from 'autocannon'
import { LatencyRecorder, percentile } from '../../../bench/stats.js'

export interface SaleSpec {
  url: string
  strategy: string
  /** Buyers go round-robin over these products: one for a hot row, many for little contention. */
  productIds: number[]
  buyers: number
  connections: number
}

export interface SaleAnswers {
  /** From the first request to the last answer. */
  seconds: number
  answers: number
  answersPerSecond: number
  /** 201s: new reservations. */
  sold: number
  /** Time from the first request to the last 201: how long selling the stock took. */
  sellOutSeconds: number
  reservationsPerSecond: number
  outOfStock: number
  /** 409 INVENTORY_CONFLICT: gave up (optimistic retries exhausted, pessimistic lock timeout). */
  gaveUp: number
  /** Anything else (5xx, connection errors): should be 0. */
  unexpected: number
  p50Ms: number
  p99Ms: number
  /** Latency of the 201s alone. */
  soldP50Ms: number
  soldP99Ms: number
}

/** `buyers` POST /reservations (one unit each, fresh ids) over `connections` keep-alive connections. */
export async function runSale (spec: SaleSpec): Promise<SaleAnswers> {
  const all = new LatencyRecorder()
  const sold = new LatencyRecorder()
  let outOfStock = 0
  let gaveUp = 0
  let unexpected = 0
  let lastSoldAt = 0
  let lastAnswerAt = 0
  let sequence = 0
  const started = performance.now()
  const request: autocannon.Request = {
    method: 'POST',
    path: '/reservations',
    headers: { 'content-type': 'application/json', 'x-inventory-strategy': spec.strategy },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ reservationId: randomUUID(), productId: spec.productIds[sequence++ % spec.productIds.length], quantity: 1 }) }),
    onResponse: (status, body) => {
      if (status === 201) lastSoldAt = performance.now()
      else if (status === 409 && body.includes('"INVENTORY_OUT_OF_STOCK"')) outOfStock++
      else if (status === 409 && body.includes('"INVENTORY_CONFLICT"')) gaveUp++
      else unexpected++
    }
  }
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: spec.url, connections: spec.connections, amount: spec.buyers, requests: [request] },
      (err: unknown, res: autocannon.Result) => { err === null || err === undefined ? resolve(res) : reject(err) })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastAnswerAt = performance.now()
      all.record(responseTime)
      if (statusCode === 201) sold.record(responseTime)
    })
  })
  // Up to the last answer: autocannon reports its end only at its next one-second tick.
  const seconds = (lastAnswerAt - started) / 1000
  const sellOutSeconds = lastSoldAt === 0 ? Number.NaN : (lastSoldAt - started) / 1000
  const allSorted = all.sorted()
  const soldSorted = sold.sorted()
  return {
    seconds,
    answers: result.requests.total,
    answersPerSecond: result.requests.total / seconds,
    sold: sold.count,
    sellOutSeconds,
    reservationsPerSecond: sold.count / sellOutSeconds,
    outOfStock,
    gaveUp,
    unexpected: unexpected + result.errors + result.timeouts,
    p50Ms: percentile(allSorted, 50),
    p99Ms: percentile(allSorted, 99),
    soldP50Ms: percentile(soldSorted, 50),
    soldP99Ms: percentile(soldSorted, 99)
  }
}
