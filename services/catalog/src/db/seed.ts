import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

export interface SeedSizes {
  categories: number
  products: number
  reviews: number
}

export interface SeedResult extends SeedSizes {
  seeded: boolean
  ms: number
}

/** Reviews are inserted in batches of this many rows, with a progress line after each. */
const REVIEW_BATCH = 100_000

/**
 * Fills an empty catalog with generated data, entirely in SQL (generate_series), in one transaction:
 * either the whole seed is there or none of it, so a crash mid-way is retried at the next boot.
 *
 * Values are pseudo-random but deterministic: `hashint8extended(n, salt)` hashes the row number with a
 * per-column salt, so every run (and every machine) produces the same catalog, and the experiments'
 * numbers are comparable. Each product gets a "quality" that its reviews' ratings scatter around, so
 * "best rated in the category" means something.
 */
export async function seedIfEmpty (client: pg.ClientBase, sizes: SeedSizes, log: FastifyBaseLogger): Promise<SeedResult> {
  const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM products) AS empty')
  if (rows[0]?.empty !== true) {
    log.info('catalog already seeded; skipping')
    return { seeded: false, ms: 0, categories: 0, products: 0, reviews: 0 }
  }
  const started = performance.now()
  log.info(sizes, 'seeding catalog')
  await client.query('BEGIN')
  try {
    await insertCategories(client, sizes.categories)
    await insertProducts(client, sizes.products, sizes.categories)
    log.info({ products: sizes.products, ms: Math.round(performance.now() - started) }, 'seed: products inserted')
    for (let from = 1; from <= sizes.reviews; from += REVIEW_BATCH) {
      const to = Math.min(from + REVIEW_BATCH - 1, sizes.reviews)
      await insertReviews(client, from, to, sizes.products)
      log.info({ reviews: to, of: sizes.reviews, ms: Math.round(performance.now() - started) }, 'seed: reviews inserted')
    }
    // Rows were given explicit ids (reviews refer to products by number): move the sequences past them.
    await client.query(`SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products)),
      setval(pg_get_serial_sequence('reviews', 'id'), greatest((SELECT max(id) FROM reviews), 1), (SELECT count(*) > 0 FROM reviews))`)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw new Error('seeding the catalog failed', { cause: err })
  }
  // Fresh statistics for the planner, and a visibility map so the page's review aggregates are
  // index-only scans from the first request on.
  await client.query('VACUUM (ANALYZE) categories, products, reviews')
  const ms = Math.round(performance.now() - started)
  log.info({ ...sizes, ms }, 'catalog seeded')
  return { seeded: true, ms, ...sizes }
}

async function insertCategories (client: pg.ClientBase, count: number): Promise<void> {
  await client.query(`
    INSERT INTO categories (id, slug, name)
    SELECT n, 'category-' || n, (ARRAY['Kitchen', 'Garden', 'Office', 'Audio', 'Outdoor', 'Toys', 'Books', 'Lighting',
      'Travel', 'Fitness', 'Bath', 'Tools', 'Pets', 'Gaming', 'Baby', 'Art', 'Music', 'Camping', 'Coffee', 'Storage'])[1 + (n - 1) % 20]
      || CASE WHEN n > 20 THEN ' ' || n ELSE '' END
    FROM generate_series(1, $1::int) AS n`, [count])
}

async function insertProducts (client: pg.ClientBase, count: number, categories: number): Promise<void> {
  await client.query(`
    INSERT INTO products (id, sku, name, description, price_cents, category_id, updated_at, version)
    SELECT n,
      'SKU-' || lpad(n::text, 8, '0'),
      (ARRAY['Red', 'Blue', 'Green', 'Swift', 'Quiet', 'Bold', 'Tiny', 'Grand', 'Classic', 'Smart'])[1 + abs(hashint8extended(n, 1)) % 10]
        || ' ' || (ARRAY['Lamp', 'Chair', 'Kettle', 'Backpack', 'Headphones', 'Mug', 'Desk', 'Jacket', 'Tent', 'Speaker'])[1 + abs(hashint8extended(n, 2)) % 10]
        || ' ' || n,
      'A dependable ' || (ARRAY['everyday', 'premium', 'compact', 'rugged', 'stylish'])[1 + abs(hashint8extended(n, 3)) % 5]
        || ' product, item number ' || n || '. Ships in ' || (1 + abs(hashint8extended(n, 4)) % 5) || ' days.',
      99 + abs(hashint8extended(n, 5)) % 50000,
      1 + abs(hashint8extended(n, 6)) % $2::int,
      timestamptz '2024-01-01T00:00:00Z',
      1
    FROM generate_series(1, $1::int) AS n`, [count, categories])
}

async function insertReviews (client: pg.ClientBase, from: number, to: number, products: number): Promise<void> {
  await client.query(`
    INSERT INTO reviews (id, product_id, rating, title, body, created_at)
    SELECT n, r.product_id,
      greatest(1, least(5, 1 + abs(hashint8extended(r.product_id, 7)) % 5 + abs(hashint8extended(n, 8)) % 3 - 1)),
      (ARRAY['Disappointing', 'Could be better', 'Does the job', 'Really good', 'Excellent'])[1 + abs(hashint8extended(n, 9)) % 5],
      (ARRAY['Arrived quickly and works as described.', 'Not what I expected, but usable.',
        'Would buy again at this price.', 'The quality surprised me.', 'Gave it as a gift; they loved it.'])[1 + abs(hashint8extended(n, 10)) % 5],
      timestamptz '2023-01-01T00:00:00Z' + make_interval(secs => abs(hashint8extended(n, 11)) % 63072000)
    FROM generate_series($1::bigint, $2::bigint) AS n
    CROSS JOIN LATERAL (SELECT 1 + abs(hashint8extended(n, 12)) % $3::int AS product_id) AS r`, [from, to, products])
}
