import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql, type TestDatabase } from '@lab/testkit'
import { buildCatalog, catalogEnv } from '../build.js'

const SIZES = { SEED_CATEGORIES: '5', SEED_PRODUCTS: '200', SEED_REVIEWS: '2000' }
const databases: TestDatabase[] = []

afterAll(async () => {
  await Promise.all(databases.map(async (d) => await d.drop()))
})

async function freshDatabase (): Promise<TestDatabase> {
  const db = await createDatabase('catalog_seed')
  databases.push(db)
  return db
}

const counts = async (db: TestDatabase) => (await sql<{ categories: number, products: number, reviews: number, migrations: number }>(db, `
  SELECT (SELECT count(*)::int FROM categories) AS categories, (SELECT count(*)::int FROM products) AS products,
    (SELECT count(*)::int FROM reviews) AS reviews, (SELECT count(*)::int FROM schema_migrations) AS migrations`))[0]

/** A digest of the generated content, to compare two seeds. */
const fingerprint = async (db: TestDatabase) => (await sql<{ digest: string }>(db, `
  SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) || md5((SELECT string_agg(p::text, ',' ORDER BY p.id)
    FROM (SELECT id, sku, name, description, price_cents, category_id FROM products) p)) AS digest
  FROM reviews r`))[0]?.digest

describe('migrations and seed at boot', () => {
  let db: TestDatabase
  beforeAll(async () => { db = await freshDatabase() })

  it('migrates and seeds once when two replicas boot together on an empty database', async () => {
    const replicas = await Promise.all([buildCatalog(catalogEnv(db, SIZES)), buildCatalog(catalogEnv(db, SIZES))])
    try {
      expect(await counts(db)).toEqual({ categories: 5, products: 200, reviews: 2000, migrations: 1 })
    } finally {
      await Promise.all(replicas.map(async (r) => await r.app.close()))
    }
  })

  it('is idempotent: booting again (with other sizes) changes nothing', async () => {
    const before = await fingerprint(db)
    const again = await buildCatalog(catalogEnv(db, { SEED_PRODUCTS: '300', SEED_REVIEWS: '10' }))
    await again.app.close()
    expect(await counts(db)).toEqual({ categories: 5, products: 200, reviews: 2000, migrations: 1 })
    expect(await fingerprint(db)).toBe(before)
  })

  it('generates the same catalog on every database (deterministic pseudo-random data)', async () => {
    const other = await freshDatabase()
    const catalog = await buildCatalog(catalogEnv(other, SIZES))
    await catalog.app.close()
    expect(await fingerprint(other)).toBe(await fingerprint(db))
  })

  it('keeps ratings within 1..5, every review on an existing product, and the id sequences past the seed', async () => {
    const [row] = await sql<{ bad_ratings: number, orphans: number, next_product: string }>(db, `
      SELECT (SELECT count(*)::int FROM reviews WHERE rating NOT BETWEEN 1 AND 5) AS bad_ratings,
        (SELECT count(*)::int FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = r.product_id)) AS orphans,
        nextval(pg_get_serial_sequence('products', 'id'))::text AS next_product`)
    expect(row).toEqual({ bad_ratings: 0, orphans: 0, next_product: '201' })
  })

  it('skips seeding when SEED_ON_BOOT is false', async () => {
    const empty = await freshDatabase()
    const catalog = await buildCatalog(catalogEnv(empty, { ...SIZES, SEED_ON_BOOT: 'false' }))
    try {
      expect(await counts(empty)).toEqual({ categories: 0, products: 0, reviews: 0, migrations: 1 })
      const res = await catalog.app.inject({ method: 'GET', url: '/products/1' })
      expect(res.statusCode).toBe(404)
    } finally {
      await catalog.app.close()
    }
  })
})
