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
export function createQueryRunner (pool: pg.Pool, metrics: Pick<CatalogMetrics, 'dbQueries' | 'dbQueryDuration'>): RunQuery {
  return async function runQuery<R extends pg.QueryResultRow> (name: QueryName, sql: string, params: unknown[] = []) {
    metrics.dbQueries.inc({ query: name })
    const done = metrics.dbQueryDuration.startTimer({ query: name })
    try {
      return await pool.query<R>(sql, params)
    } finally {
      done()
    }
  }
}
