import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildCatalog, catalogEnv, type CatalogUnderTest } from '../build.js'

let db: TestDatabase
let catalog: CatalogUnderTest
const PRODUCTS = 200

beforeAll(async () => {
  db = await createDatabase('catalog_pages')
  catalog = await buildCatalog(catalogEnv(db, { SEED_PRODUCTS: String(PRODUCTS) }))
})

afterAll(async () => {
  await catalog?.app.close()
  await db?.drop()
})

interface Page { items: Array<{ id: number, category_id: number }>, nextCursor: string | null }

/** Follows nextCursor from the first page to the last, returning every page. */
async function walk (query: string): Promise<Page[]> {
  const pages: Page[] = []
  let cursor: string | null = null
  do {
    const url: string = `/products?${query}${cursor === null ? '' : `&cursor=${cursor}`}`
    const res = await catalog.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(200)
    const page = res.json<Page>()
    pages.push(page)
    cursor = page.nextCursor
  } while (cursor !== null && pages.length < 1000)
  return pages
}

describe('GET /products with cursor pagination', () => {
  it('walks every product exactly once, in id order', async () => {
    const pages = await walk('limit=7')
    const ids = pages.flatMap((p) => p.items.map((i) => i.id))
    expect(ids).toEqual(Array.from({ length: PRODUCTS }, (_, i) => i + 1))
    expect(pages).toHaveLength(Math.ceil(PRODUCTS / 7))
    expect(pages.at(-1)?.nextCursor).toBeNull()
  })

  it('walks one category exactly once, and only that category', async () => {
    const categories = await catalog.app.inject({ method: 'GET', url: '/categories' })
    const { items } = categories.json<{ items: Array<{ id: number, product_count: number }> }>()
    const category = items.find((c) => c.product_count > 0)
    expect(category).toBeDefined()
    const ids = (await walk(`limit=9&category=${category?.id}`)).flatMap((p) => p.items.map((i) => {
      expect(i.category_id).toBe(category?.id)
      return i.id
    }))
    expect(ids).toHaveLength(category?.product_count ?? -1)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
  })

  it('defaults to 20 items and ends with a null cursor on an exact last page', async () => {
    const first = (await catalog.app.inject({ method: 'GET', url: '/products' })).json<Page>()
    expect(first.items).toHaveLength(20)
    expect(first.nextCursor).toEqual(expect.any(String))
    const pages = await walk('limit=100')
    expect(pages.map((p) => p.items.length)).toEqual([100, 100])
    expect(pages[1]?.nextCursor).toBeNull()
  })
})
