import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { runPacedLoad } from '@lab/load-tests'
import { percentile } from '../../bench/stats.js'
import { withTransaction } from '../../packages/platform/src/transaction.js'
import type { Experiment, SideBySide } from './types.js'
import { atLeast, exactly } from './verdict.js'

/** A product of the seeded 10,000 kept for this experiment (the flash-sale scenario uses 9999). */
const PRODUCT = 9998
type Strategy = 'optimistic' | 'naive'

interface Stock { available: number, reserved: number, priceCents: number }
interface SaleFigures {
  strategy: Strategy
  buyers: number
  sold: number
  outOfStock: number
  gaveUp: number
  other: number
  p50Ms: number
  p99Ms: number
  /** From the database after the sale. */
  row: Stock
  activeUnits: number
  oversold: number
  /** inventory_oversold_units as Prometheus scraped it after the sale. */
  oversoldGauge: number
  ids: string[]
}

async function stockOf (inventory: string): Promise<Stock> {
  const res = await fetch(`${inventory}/stock/${PRODUCT}`)
  if (res.status !== 200) throw new Error(`GET ${inventory}/stock/${PRODUCT} answered ${res.status}`)
  return await res.json() as Stock
}

async function setStock (inventory: string, available: number, priceCents: number): Promise<void> {
  const res = await fetch(`${inventory}/stock/${PRODUCT}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ available, priceCents }) })
  if (res.status !== 200) throw new Error(`PUT ${inventory}/stock/${PRODUCT} answered ${res.status}: ${await res.text()}`)
}

/** The oversell gauge's formula (services/inventory/src/stock/oversell.ts), for this product only. */
async function measure (db: pg.Pool): Promise<{ row: Stock, activeUnits: number, oversold: number }> {
  const { rows } = await db.query<{ available: number, reserved: number, price_cents: number, active: number }>(`
    SELECT i.available, i.reserved, i.price_cents,
      (SELECT coalesce(sum(quantity), 0)::int FROM reservations WHERE product_id = i.product_id AND status = 'reserved') AS active
    FROM items AS i WHERE i.product_id = $1`, [PRODUCT])
  const r = rows[0]
  if (r === undefined) throw new Error(`no item ${PRODUCT} in inventory's database`)
  return { row: { available: r.available, reserved: r.reserved, priceCents: r.price_cents }, activeUnits: r.active, oversold: Math.max(0, r.active - (r.available + r.reserved)) }
}

/**
 * Puts the product back as it was: the sale's reservations released and `reserved` equal to the units
 * still reserved (after lost updates it is behind, and the service's own release would be refused as
 * inconsistent), then its stock and price as before. Direct SQL: the repair an operator makes.
 */
async function restore (db: pg.Pool, inventory: string, ids: string[], saved: Stock): Promise<void> {
  // One connection for the whole transaction: BEGIN, the UPDATEs and COMMIT sent through the pool
  // itself could each go to another of its connections.
  await withTransaction(db, async (client) => {
    await client.query('SELECT 1 FROM items WHERE product_id = $1 FOR UPDATE', [PRODUCT])
    await client.query("UPDATE reservations SET status = 'released', updated_at = now() WHERE id = ANY($1::uuid[]) AND status = 'reserved'", [ids])
    await client.query(`UPDATE items SET reserved = (SELECT coalesce(sum(quantity), 0) FROM reservations WHERE product_id = $1 AND status = 'reserved'),
      version = version + 1, updated_at = now() WHERE product_id = $1`, [PRODUCT])
  })
  await setStock(inventory, saved.available, saved.priceCents)
}

async function sale (strategy: Strategy, opts: { inventory: string, db: pg.Pool, buyers: number, units: number, rate: number, priceCents: number, oversoldGauge: () => Promise<number> }): Promise<SaleFigures> {
  await setStock(opts.inventory, opts.units, opts.priceCents)
  const ids: string[] = []
  const times: number[] = []
  let outOfStock = 0
  let gaveUp = 0
  let other = 0
  await runPacedLoad({
    baseUrl: opts.inventory,
    rate: opts.rate,
    durationSeconds: Math.ceil(opts.buyers / opts.rate),
    maxConnections: 100,
    next: () => ({
      name: 'reserve',
      method: 'POST',
      path: '/reservations',
      headers: { 'content-type': 'application/json', 'x-inventory-strategy': strategy },
      body: JSON.stringify({ reservationId: randomUUID(), productId: PRODUCT, quantity: 1 })
    }),
    onAnswer: (request, status, ms, body) => {
      times.push(ms)
      if (status === 201) ids.push((JSON.parse(request.body ?? '{}') as { reservationId: string }).reservationId)
      else if (status === 409 && body.includes('INVENTORY_OUT_OF_STOCK')) outOfStock++
      else if (status === 409 && body.includes('INVENTORY_CONFLICT')) gaveUp++
      else other++
    },
    onNoAnswer: () => { other++ }
  })
  const data = await measure(opts.db)
  const sorted = times.sort((a, b) => a - b)
  return { strategy, buyers: times.length, sold: ids.length, outOfStock, gaveUp, other, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), ...data, oversoldGauge: await opts.oversoldGauge(), ids }
}

function table (sales: SaleFigures[], units: number): SideBySide {
  const row = (label: string, f: (s: SaleFigures) => string) => ({ label, values: sales.map(f) })
  return {
    title: `${sales[0]?.buyers ?? '?'} buyers for ${units} units, side by side`,
    columns: sales.map((s) => s.strategy),
    rows: [
      row('sold (201)', (s) => String(s.sold)),
      row('out of stock (409)', (s) => String(s.outOfStock)),
      row('gave up after retries (409 conflict)', (s) => String(s.gaveUp)),
      row('other answers or none', (s) => String(s.other)),
      row('stock row after: available / reserved', (s) => `${s.row.available} / ${s.row.reserved}`),
      row('units in active reservations (SQL)', (s) => String(s.activeUnits)),
      row('oversold units (SQL)', (s) => String(s.oversold)),
      row('inventory_oversold_units (Prometheus, whole lab)', (s) => String(s.oversoldGauge)),
      row('latency p50 / p99', (s) => `${s.p50Ms.toFixed(1)} / ${s.p99Ms.toFixed(1)} ms`)
    ]
  }
}

export const flashSale: Experiment = {
  id: 5,
  name: 'flash-sale',
  title: 'Flash sale: optimistic locking against the lost update',
  hypothesis: 'With optimistic locking (a version column and a conditional UPDATE), 1,000 buyers arriving at 250/s for 100 units buy exactly 100, and the stock row agrees with its reservations; the naive read-modify-write variant, under the same load, sells more than exists.',
  fault: `none injected: the fault is the race itself; the naive variant (x-inventory-strategy: naive) is the pattern switched off. Product ${PRODUCT}, restored afterwards.`,
  async run ({ short, urls, prometheus, progress }) {
    const buyers = short ? 300 : 1000
    const units = short ? 30 : 100
    const rate = short ? 300 : 250
    const db = new pg.Pool({ connectionString: urls.postgres('inventory'), max: 2 })
    const saved = await stockOf(urls.inventory)
    const sales: SaleFigures[] = []
    const windows = []
    try {
      for (const strategy of ['optimistic', 'naive'] as const) {
        progress(`${strategy}: ${buyers} buyers at ${rate}/s for ${units} units of product ${PRODUCT}`)
        const startMs = Date.now()
        let result: SaleFigures | undefined
        try {
          result = await sale(strategy, { inventory: urls.inventory, db, buyers, units, rate, priceCents: saved.priceCents, oversoldGauge: async () => await prometheus.freshValue('max(inventory_oversold_units)', 'inventory') })
          sales.push(result)
          progress(`  sold ${result.sold}, oversold ${result.oversold} (SQL), gauge ${result.oversoldGauge}`)
        } finally {
          windows.push({ label: strategy, startMs, endMs: Date.now() })
          await restore(db, urls.inventory, result?.ids ?? [], saved)
        }
      }
      const after = await stockOf(urls.inventory)
      const [optimistic, naive] = sales as [SaleFigures, SaleFigures]
      return {
        verdicts: [
          exactly('optimistic: units sold', optimistic.sold, units),
          exactly('optimistic: oversold units (SQL: active reservations − available − reserved)', optimistic.oversold, 0),
          exactly('optimistic: answers other than 201 and 409', optimistic.other, 0),
          atLeast('naive: oversold units (the lost update shown)', naive.oversold, 1),
          exactly('product restored afterwards: available', after.available, saved.available)
        ],
        figures: [
          { label: 'buyers per variant', value: `${buyers} at ${rate}/s, one unit each, POST /reservations straight at inventory (x-inventory-strategy)` },
          { label: 'naive: sold / stock', value: `${naive.sold} / ${units}` }
        ],
        sideBySide: [table(sales, units)],
        windows,
        panels: [
          {
            title: 'Reservations',
            unit: 'per second',
            series: [
              { name: 'optimistic reserved', promql: 'sum(rate(inventory_reservations_total{strategy="optimistic",outcome="reserved"}[10s]))' },
              { name: 'naive reserved', promql: 'sum(rate(inventory_reservations_total{strategy="naive",outcome="reserved"}[10s]))' },
              { name: 'version conflicts', promql: 'sum(rate(optimistic_lock_conflicts_total{job="inventory"}[10s]))' }
            ]
          },
          { title: 'Units oversold', unit: 'units', series: [{ name: 'inventory_oversold_units', promql: 'max(inventory_oversold_units)' }] }
        ],
        notes: [
          'The InventoryOversold alert may fire for a few seconds after the naive sale: that is the alert doing its job; the product is repaired right after.',
          'Repair: the sale\'s reservations are marked released and `reserved` recomputed from the reservations still active, in one transaction (the service itself refuses a release that would take `reserved` below 0), then PUT /stock restores the units and price.'
        ]
      }
    } finally {
      await db.end()
    }
  }
}
