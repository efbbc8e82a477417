import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBaseApp, type LabApp } from '../src/index.js'

/** One route that echoes what it was given, as a service's handler would store it. */
let app: LabApp
const received: unknown[] = []

beforeAll(async () => {
  app = await createBaseApp({ logger: { service: 'strict-input-test', level: 'silent', pretty: false }, registry: new Registry(), defaultMetrics: false })
  app.put('/things/:id', async (request) => {
    received.push({ params: request.params, query: request.query, body: request.body })
    return { ok: true }
  })
  await app.ready()
})
afterAll(async () => { await app.close() })

async function put (payload: string | Buffer, url = '/things/1') {
  const before = received.length
  const res = await app.inject({ method: 'PUT', url, headers: { 'content-type': 'application/json' }, payload })
  return { res, body: res.json<{ statusCode: number, code: string, message: string, requestId: string }>(), handled: received.length > before }
}

describe('strict JSON bodies', () => {
  it('accepts ordinary JSON, escapes and nesting included', async () => {
    const { res, handled } = await put('{"name":"caf\\u00e9 \\"x\\"","tags":[{"a":1},{"a":2}],"nested":{"a":{"a":"a"}}}')
    expect(res.statusCode).toBe(200)
    expect(handled).toBe(true)
    expect(received.at(-1)).toMatchObject({ body: { name: 'café "x"', tags: [{ a: 1 }, { a: 2 }] } })
  })

  it.each([
    ['at the top level', '{"admin":false,"admin":true}', '"admin"'],
    ['in a nested object', '{"a":{"b":1,"c":{"d":1,"d":2}}}', '"d"'],
    ['inside an array', '[{"x":1},{"x":1,"x":2}]', '"x"'],
    ['spelled with an escape', '{"role":"user","r\\u006fle":"admin"}', '"role"'],
    ['with whitespace before the colon', '{"a" : 1, "a"\n:2}', '"a"']
  ])('refuses a key given twice %s with 400 and nothing handled', async (_where, payload, key) => {
    const { res, body, handled } = await put(payload)
    expect(res.statusCode).toBe(400)
    expect(body).toMatchObject({ statusCode: 400, code: 'INPUT_DUPLICATE_JSON_KEY', error: 'Bad Request' })
    expect(body.message).toContain(key)
    expect(body.requestId).toEqual(expect.any(String))
    expect(handled).toBe(false)
  })

  it('does not take a repeated value, or a key-like string value, for a duplicate key', async () => {
    expect((await put('{"a":"a","b":"a","c":["a","a"],"d":{"a":"a:"}}')).res.statusCode).toBe(200)
  })

  it.each([
    ['a value', '{"name":"x\\u0000y"}'],
    ['a key', '{"x\\u0000":1}'],
    ['an array item', '{"tags":["ok","\\u0000"]}']
  ])('refuses the NUL character in %s with 400 and nothing handled', async (_where, payload) => {
    const { res, body, handled } = await put(payload)
    expect(res.statusCode).toBe(400)
    expect(body).toMatchObject({ statusCode: 400, code: 'INPUT_NUL_CHARACTER' })
    expect(handled).toBe(false)
  })

  it('takes an escaped backslash before u0000 as text, not as NUL', async () => {
    const { res } = await put('{"name":"\\\\u0000"}')
    expect(res.statusCode).toBe(200)
    expect(received.at(-1)).toMatchObject({ body: { name: '\\u0000' } })
  })

  it.each([
    ['a lone continuation byte', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d])],
    ['a truncated sequence', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])],
    ['an overlong encoding', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])]
  ])('refuses invalid UTF-8 (%s) with 400 instead of storing U+FFFD', async (_what, payload) => {
    const { res, body, handled } = await put(payload)
    expect(res.statusCode).toBe(400)
    expect(body).toMatchObject({ statusCode: 400, code: 'INPUT_INVALID_UTF8' })
    expect(handled).toBe(false)
  })

  it('still answers malformed and empty JSON with Fastify\'s codes', async () => {
    expect((await put('{"a":')).body).toMatchObject({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' })
    expect((await put('')).body).toMatchObject({ statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' })
  })

  it('keeps the protection against prototype poisoning', async () => {
    const { res, handled } = await put('{"__proto__":{"admin":true}}')
    expect(res.statusCode).toBe(400)
    expect(handled).toBe(false)
    expect((await put('{"constructor":{"prototype":{"admin":true}}}')).res.statusCode).toBe(400)
  })
})

describe('NUL in the URL', () => {
  it.each([
    ['the query string', '/things/1?orderId=%00'],
    ['a route param', '/things/a%00b'],
    ['a lowercase-hex query value', '/things/1?x=ab%00']
  ])('refuses %s with 400 and nothing handled', async (_where, url) => {
    const { res, body, handled } = await put('{}', url)
    expect(res.statusCode).toBe(400)
    expect(body).toMatchObject({ statusCode: 400, code: 'INPUT_NUL_CHARACTER' })
    expect(handled).toBe(false)
  })

  it('lets an encoded percent sign through (%2500 is the text "%00", not NUL)', async () => {
    const { res } = await put('{}', '/things/1?x=%2500')
    expect(res.statusCode).toBe(200)
    expect(received.at(-1)).toMatchObject({ query: { x: '%00' } })
  })
})
