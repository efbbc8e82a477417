import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createBaseApp, createPrettyFormatter, loggerOptions, writesPretty } from '../src/index.js'

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

describe('pretty logs', () => {
  const settings = { service: 'demo', level: 'info', pretty: true }

  it('are written only when stdout is a terminal: JSON to a file or a pipe, whatever LOG_PRETTY says', () => {
    expect(writesPretty({ ...settings, stdoutIsTerminal: true })).toBe(true)
    expect(writesPretty({ ...settings, stdoutIsTerminal: false })).toBe(false)
    expect(writesPretty({ ...settings, pretty: false, stdoutIsTerminal: true })).toBe(false)
    expect(loggerOptions({ ...settings, stdoutIsTerminal: true }).transport).toMatchObject({ target: 'pino-pretty' })
    expect(loggerOptions({ ...settings, stdoutIsTerminal: false }).transport).toBeUndefined()
  })

  it('are never written to a stream a test collects', () => {
    const stream = new Writable({ write (_chunk, _encoding, done) { done() } })
    expect(writesPretty({ ...settings, stream, stdoutIsTerminal: true })).toBe(false)
    expect(loggerOptions({ ...settings, stream, stdoutIsTerminal: true }).transport).toBeUndefined()
  })

  it('turn a JSON line into time, level, message and the other fields, reqId kept, and leave other lines alone', () => {
    const format = createPrettyFormatter({ colorize: false })
    const line = JSON.stringify({ level: 30, time: '2026-12-02T13:50:00.123Z', pid: 1, hostname: 'h', service: 'gateway', reqId: 'r-1', statusCode: 200, msg: 'request completed' })
    const shown = format(line)
    expect(shown).toMatch(/^\[\d\d:\d\d:\d\d\.123\] INFO: request completed \{"reqId":"r-1","statusCode":200\}$/)
    expect(shown).not.toContain('hostname')
    expect(format('[2026-12-02 13:50:00,123] INFO [KafkaServer id=1] started')).toBe('[2026-12-02 13:50:00,123] INFO [KafkaServer id=1] started')
    expect(format('{"cut": ')).toBe('{"cut": ')
  })
})
