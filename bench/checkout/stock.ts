/**
 * The stock and prices the run's orders need, set through inventory's own PUT /stock/:productId
 * (inventory directly: the gateway does not expose it), and put back afterwards.
 *
 * Why: payments seeds each customer wallet with 1,000.00 once and money never comes back to them
 * (a wallet charge moves it to the merchant); at the seeded prices (0.99 to 500.98, 250 on average) a
 * 10 s run would empty most wallets and every later run would measure cancellations for want of
 * money. So for the run the products cost BENCH_PRICE_CENTS, and a hot product gets enough units.
 */
export const BENCH_PRICE_CENTS = 100

export interface Stock { productId: number, available: number, reserved: number, priceCents: number, version: number }

/** Runs `work` on every item, at most `limit` at a time; results in the items' order. */
export async function mapConcurrently<T, R> (items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

async function call (url: string, init?: RequestInit): Promise<Stock> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as Stock
}

const put = async (inventory: string, productId: number, body: { available: number, priceCents: number }) =>
  await call(`${inventory}/stock/${productId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/**
 * Reads each product's stock (what to put back), then sets its price to BENCH_PRICE_CENTS and its
 * available units to at least `minAvailable`. Returns the stock as it was.
 */
export async function prepareStock (inventory: string, productIds: readonly number[], minAvailable: number): Promise<Stock[]> {
  const before = await mapConcurrently(productIds, 16, async (id) => await call(`${inventory}/stock/${id}`))
  await mapConcurrently(before, 16, async (s) => await put(inventory, s.productId, { available: Math.max(s.available, minAvailable), priceCents: BENCH_PRICE_CENTS }))
  return before
}

/** Puts back each product's price and available units as they were before the run. */
export async function restoreStock (inventory: string, before: readonly Stock[]): Promise<void> {
  await mapConcurrently(before, 16, async (s) => await put(inventory, s.productId, { available: s.available, priceCents: s.priceCents }))
}
