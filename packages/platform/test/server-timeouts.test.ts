import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Registry } from 'prom-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createBaseApp } from '../src/index.js'

const REQUEST_TIMEOUT_MS = 500

async function listeningApp (): Promise<number> {
  const app = await createBaseApp({
    logger: { service: 'timeout-test', level: 'silent', pretty: false },
    registry: new Registry(),
    defaultMetrics: false,
    timeouts: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS }
  })
  app.post('/things', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  onTestFinished(async () => { await app.close() })
  return (app.server.address() as AddressInfo).port
}

/** Writes `request` on a raw socket and resolves with everything the server sent until it closed. */
async function rawExchange (port: number, request: string): Promise<{ answer: string, closedAfterMs: number }> {
  const started = Date.now()
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.write(request) })
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('error', reject)
    socket.on('close', () => { resolve({ answer, closedAfterMs: Date.now() - started }) })
  })
}

describe('server timeouts', () => {
  it('answers a body slower than the request timeout with 408 and the lab error body, and closes the connection', async () => {
    const port = await listeningApp()
    const { answer, closedAfterMs } = await rawExchange(port, 'POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":"1234')
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    expect(answer).toMatch(/\r\nConnection: close\r\n/i)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>
    expect(body).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT', error: 'Request Timeout' })
    expect(body.requestId).toEqual(expect.any(String))
    // The limit, plus at most one connections check (a tenth of it, 100 ms at least) and some slack.
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50)
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 600)
  })

  it('answers headers that never end with 408 within the headers timeout', async () => {
    const port = await listeningApp()
    const { answer, closedAfterMs } = await rawExchange(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ')
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 600)
  })

  it('answers a complete request on time as usual', async () => {
    const port = await listeningApp()
    const { answer } = await rawExchange(port, 'POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
  })
})
