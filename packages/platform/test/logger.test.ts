import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createBaseApp } from '../src/index.js'

describe('service logs', () => {
  it('write one JSON line per request, with the service name and the caller\'s request id', async () => {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
    const app = await createBaseApp({ logger: { service: 'demo', level: 'info', pretty: false, stream }, registry: new Registry(), defaultMetrics: false })
    app.get('/hello', async () => ({ ok: true }))
    const res = await app.inject({ url: '/hello', headers: { 'x-request-id': 'trace-7' } })
    await app.close()
    expect(res.headers['x-request-id']).toBe('trace-7')
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.reqId === 'trace-7')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ service: 'demo', msg: 'request completed', method: 'GET', url: '/hello', statusCode: 200 })
  })
})
