import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { buildGateway } from './build.js'

// The upstream is never reached: the gateway answers bad input at the edge.
const NOWHERE = 'http://127.0.0.1:9'

describe('gateway input checks', () => {
  it('answers malformed JSON with 400 and a JSON error body', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const res = await fetch(`${url}/catalog/products/1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name": ' })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' })
  })

  it.each([
    ['a key given twice', '{"name":"a","name":"b"}', 'INPUT_DUPLICATE_JSON_KEY'],
    ['a NUL in a string', '{"name":"a\\u0000"}', 'INPUT_NUL_CHARACTER'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'INPUT_INVALID_UTF8']
  ])('answers %s with 400 at the edge, before forwarding', async (_case, body, code) => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const res = await fetch(`${url}/catalog/products/1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ statusCode: 400, code })
  })

  it('answers a NUL in the query string with 400 at the edge', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const res = await fetch(`${url}/catalog/products?x=%00`)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'INPUT_NUL_CHARACTER' })
  })

  it('answers a body shorter than its Content-Length with 408 within REQUEST_TIMEOUT_MS, and closes', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE, REQUEST_TIMEOUT_MS: '500', HEADERS_TIMEOUT_MS: '500' })
    const { port } = new URL(url)
    const started = Date.now()
    const answer = await new Promise<string>((resolve, reject) => {
      let text = ''
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('PUT /catalog/products/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"')
      })
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => { text += chunk })
      socket.on('error', reject)
      socket.on('close', () => { resolve(text) })
    })
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('answers a body over the limit with 413', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const res = await fetch(`${url}/catalog/products/1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200_000) }) })
    expect(res.status).toBe(413)
    expect((await res.json() as { statusCode: number }).statusCode).toBe(413)
  })

  it('answers an unknown route with 404 and a JSON error body', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const res = await fetch(`${url}/nope`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' })
  })

  it('echoes the caller\'s request id, and makes one when there is none', async () => {
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: NOWHERE })
    const given = await fetch(`${url}/health/live`, { headers: { 'x-request-id': 'trace-me-123' } })
    expect(given.headers.get('x-request-id')).toBe('trace-me-123')
    const made = await fetch(`${url}/health/live`)
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses to boot with a configuration error that names the variable', async () => {
    const { loadGatewayConfig } = await import('../src/config.js')
    expect(() => loadGatewayConfig({ CATALOG_UPSTREAMS: 'not a url' })).toThrow(/CATALOG_UPSTREAMS/)
    expect(() => loadGatewayConfig({ CATALOG_UPSTREAMS: NOWHERE, PORT: 'eighty' })).toThrow(/PORT/)
  })
})
