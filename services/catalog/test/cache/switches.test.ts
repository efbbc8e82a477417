import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createDatabase, type TestDatabase } from '@lab/testkit'
import { buildCatalog, catalogEnv, pageQueries } from '../build.js'

let db: TestDatabase
beforeAll(async () => { db = await createDatabase('catalog_switches') })
afterAll(async () => { await db?.drop() })

async function catalogWith (switches: Record<string, boolean>) {
  const catalog = await buildCatalog(catalogEnv(db))
  onTestFinished(async () => { await catalog.app.close() })
  if (Object.keys(switches).length > 0) {
    const res = await catalog.app.inject({ method: 'PUT', url: '/admin/switches', payload: switches })
    expect(res.statusCode).toBe(200)
  }
  const read = async (id: number) => await catalog.app.inject({ method: 'GET', url: `/products/${id}` })
  return { catalog, read }
}

describe('the catalog\'s pattern switches show what each part prevents', () => {
  it('single flight on: 30 concurrent readers of a cold key cost one page query; off: many', async () => {
    const on = await catalogWith({})
    await Promise.all(Array.from({ length: 30 }, async () => await on.read(31)))
    expect(await pageQueries(on.catalog)).toBe(1)

    const off = await catalogWith({ 'single-flight': false })
    const answers = await Promise.all(Array.from({ length: 30 }, async () => await off.read(32)))
    expect(answers.every((a) => a.statusCode === 200)).toBe(true)
    expect(await pageQueries(off.catalog)).toBeGreaterThan(5)
  })

  it('negative cache on: an unknown id is read from Postgres once; off: every time', async () => {
    const on = await catalogWith({})
    for (let i = 0; i < 3; i++) expect((await on.read(999_001)).statusCode).toBe(404)
    expect(await pageQueries(on.catalog)).toBe(1)

    const off = await catalogWith({ 'negative-cache': false })
    for (let i = 0; i < 3; i++) expect((await off.read(999_002)).statusCode).toBe(404)
    expect(await pageQueries(off.catalog)).toBe(3)
  })

  it('cache off: every read goes to Postgres and says x-cache: off; on again, hits return', async () => {
    const { catalog, read } = await catalogWith({ cache: false })
    for (let i = 0; i < 3; i++) expect((await read(33)).headers['x-cache']).toBe('off')
    expect(await pageQueries(catalog)).toBe(3)
    await catalog.app.inject({ method: 'DELETE', url: '/admin/switches' })
    expect((await read(33)).headers['x-cache']).toBe('miss')
    expect((await read(33)).headers['x-cache']).toBe('hit')
  })
})
