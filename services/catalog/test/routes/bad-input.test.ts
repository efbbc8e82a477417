import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, expectErrorBody, sql, type TestDatabase } from '@lab/testkit'
import { buildCatalog, catalogEnv, type CatalogUnderTest } from '../build.js'

let db: TestDatabase
let catalog: CatalogUnderTest

beforeAll(async () => {
  db = await createDatabase('catalog_input')
  catalog = await buildCatalog(catalogEnv(db))
})

afterAll(async () => {
  await catalog?.app.close()
  await db?.drop()
})

async function storedProduct (id: number): Promise<unknown> {
  return (await sql(db, 'SELECT * FROM products WHERE id = $1', [id]))[0]
}

describe('bad input is a 4xx with the JSON error body, never a 500', () => {
  it.each([
    ['a word', '/products/abc'],
    ['zero', '/products/0'],
    ['a negative id', '/products/-3'],
    ['a fraction', '/products/1.5'],
    ['a boolean', '/products/true'],
    ['an exponent', '/products/1e3'],
    ['leading zeros', '/products/007'],
    ['an id beyond 2^53', '/products/99999999999999999999']
  ])('rejects %s as a product id (400)', async (_name, url) => {
    const res = await catalog.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(400)
    expectErrorBody(res.json(), 400, 'VALIDATION_FAILED')
  })

  it.each([
    ['malformed JSON', '{"name": "x"', 400, 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['a string where a number belongs', { price_cents: '12' }, 400, 'VALIDATION_FAILED'],
    ['a number where a string belongs', { name: 12 }, 400, 'VALIDATION_FAILED'],
    ['a fractional price', { price_cents: 12.5 }, 400, 'VALIDATION_FAILED'],
    ['a negative price', { price_cents: -1 }, 400, 'VALIDATION_FAILED'],
    ['an empty name', { name: '' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { name: 'ok', color: 'red' }, 400, 'VALIDATION_FAILED'],
    ['a field the client may not set', { name: 'ok', sku: 'SKU-HACK' }, 400, 'VALIDATION_FAILED'],
    ['nothing to change', {}, 400, 'CATALOG_EMPTY_UPDATE'],
    ['only a version', { version: 1 }, 400, 'CATALOG_EMPTY_UPDATE'],
    ['an array body', [{ name: 'x' }], 400, 'VALIDATION_FAILED'],
    ['a huge body', { description: 'x'.repeat(200_000) }, 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
    ['a stale version', { name: 'ok', version: 99 }, 409, 'CATALOG_VERSION_CONFLICT'],
    ['a NUL in the name (PostgreSQL refuses 0x00)', { name: 'a\u0000b' }, 400, 'INPUT_NUL_CHARACTER'],
    ['a NUL in the description', { description: '\u0000' }, 400, 'INPUT_NUL_CHARACTER'],
    ['the name given twice', '{"name":"first","name":"second"}', 400, 'INPUT_DUPLICATE_JSON_KEY'],
    ['the version given twice', '{"name":"ok","version":1,"version":2}', 400, 'INPUT_DUPLICATE_JSON_KEY'],
    ['invalid UTF-8 (not stored as U+FFFD)', Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]), 400, 'INPUT_INVALID_UTF8']
  ])('rejects %s in a PUT and changes nothing', async (_name, payload, status, code) => {
    const before = await storedProduct(5)
    const res = await catalog.app.inject({
      method: 'PUT',
      url: '/products/5',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload)
    })
    expect(res.statusCode).toBe(status)
    expectErrorBody(res.json(), status, code)
    expect(await storedProduct(5)).toEqual(before)
  })

  it('rejects a body that is not JSON (415) and a PUT on an unknown product (404)', async () => {
    const text = await catalog.app.inject({ method: 'PUT', url: '/products/5', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' })
    expect(text.statusCode).toBe(415)
    expectErrorBody(text.json(), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    const unknown = await catalog.app.inject({ method: 'PUT', url: '/products/424242', payload: { name: 'ghost' } })
    expect(unknown.statusCode).toBe(404)
    expectErrorBody(unknown.json(), 404, 'CATALOG_PRODUCT_NOT_FOUND')
  })

  it.each([
    ['limit 0', '/products?limit=0', 'VALIDATION_FAILED'],
    ['limit 101', '/products?limit=101', 'VALIDATION_FAILED'],
    ['a word as limit', '/products?limit=ten', 'VALIDATION_FAILED'],
    ['a fractional limit', '/products?limit=2.5', 'VALIDATION_FAILED'],
    ['a word as category', '/products?category=toys', 'VALIDATION_FAILED'],
    ['an unknown parameter', '/products?sort=price', 'VALIDATION_FAILED'],
    ['a cursor we did not issue', '/products?cursor=not-a-cursor', 'CATALOG_INVALID_CURSOR'],
    ['a cursor with a doctored id', `/products?cursor=${Buffer.from('p1:-1').toString('base64url')}`, 'CATALOG_INVALID_CURSOR']
  ])('rejects %s when listing (400)', async (_name, url, code) => {
    const res = await catalog.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(400)
    expectErrorBody(res.json(), 400, code)
  })
})
