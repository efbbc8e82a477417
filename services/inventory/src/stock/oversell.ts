import type pg from 'pg'
import { Gauge, type Registry } from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'

/**
 * Units promised to buyers beyond the units that exist, summed over all items:
 *
 *   Σ over items of max(0, Σ quantity of its 'reserved' reservations − (available + reserved))
 *
 * Why this signal: every sold unit has a reservation row, and the units that exist are
 * available + reserved (reservations move units from one to the other; PUT /stock sets `available`).
 * A correct strategy keeps Σ active = reserved in the same transaction, so the value is 0 by
 * construction, whatever the traffic or an admin's PUT. Lost updates (naive.ts) leave the row
 * plausible but behind its reservations, and the difference is exactly the oversold units. It is
 * one number an alert can use as is (`inventory_oversold_units > 0`), and cheap: an index-only scan of
 * the partial index on active reservations (released ones drop out of it), grouped per product.
 *
 * Computed when scraped (Prometheus' interval sets the cost), so it is never stale. A failed query
 * keeps the last value and logs a warning rather than failing /metrics.
 */
export function registerOversellGauge (registry: Registry, pool: pg.Pool, log: FastifyBaseLogger): Gauge {
  return new Gauge({
    name: 'inventory_oversold_units',
    help: 'Units reserved beyond the stock that exists (sum over items of active reservations minus available+reserved, when positive); above 0 only after lost updates',
    registers: [registry],
    async collect () {
      try {
        this.set(await measureOversoldUnits(pool))
      } catch (err) {
        log.warn({ err }, 'could not measure oversold units')
      }
    }
  })
}

export async function measureOversoldUnits (db: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await db.query<{ oversold: number }>(`
    SELECT coalesce(sum(greatest(0, a.active - (i.available + i.reserved))), 0)::float8 AS oversold
    FROM (SELECT product_id, sum(quantity) AS active FROM reservations WHERE status = 'reserved' GROUP BY product_id) AS a
    JOIN items AS i USING (product_id)`)
  return rows[0]?.oversold ?? 0
}
