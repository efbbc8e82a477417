import type pg from 'pg'
import type { CatalogMetrics } from '../metrics.js'

/** The `query` label of catalog_db_queries_total: one name per SQL statement the catalog runs. */
export const QUERY_NAMES = ['product_page', 'list_products', 'update_product', 'product_version', 'list_categories'] as const
export type QueryName = typeof QUERY_NAMES[number]

export type RunQuery = <R extends pg.QueryResultRow>(name: QueryName, sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>

/**
 * Runs a named statement on the pool, counted and timed per name. The counter is what the tests and
 * experiments read to prove "one database read for N concurrent requests".
 */
export function createQueryRunner (pool: pg.Pool, metrics: Pick<CatalogMetrics, 'dbQueries' | 'dbQueryDuration'>, slowQueryMs: () => number = () => 0): RunQuery {
  return async function runQuery<R extends pg.QueryResultRow> (name: QueryName, sql: string, params: unknown[] = []) {
    metrics.dbQueries.inc({ query: name })
    const done = metrics.dbQueryDuration.startTimer({ query: name })
    const delayMs = name === 'product_page' ? slowQueryMs() : 0
    try {
      if (delayMs > 0) return await slowly<R>(pool, delayMs, sql, params)
      return await pool.query<R>(sql, params)
    } finally {
      done()
    }
  }
}

/**
 * The lab's slow-query fault: the statement waits inside PostgreSQL first, on the connection it then
 * runs on, so it holds a pooled connection as long as a truly slow query would (and the pool can run out).
 */
async function slowly<R extends pg.QueryResultRow> (pool: pg.Pool, delayMs: number, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_sleep($1)', [delayMs / 1000])
    return await client.query<R>(sql, params)
  } finally {
    client.release()
  }
}
