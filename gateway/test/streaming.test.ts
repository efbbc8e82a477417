import { createServer, type ServerResponse } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listenOnFreePort } from '@lab/testkit'
import { buildGateway } from './build.js'

/** An upstream that answers /feed with Server-Sent Events, one every 100 ms, for as long as asked. */
async function eventSource (): Promise<{ url: string, open: Set<ServerResponse> }> {
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    if (req.url === '/health/ready') { res.end('{"status":"ready"}'); return }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    open.add(res)
    let n = 0
    const timer = setInterval(() => { res.write(`id: ${++n}\nevent: tick\ndata: {"n":${n}}\n\n`) }, 100)
    res.on('close', () => { clearInterval(timer); open.delete(res) })
  })
  const url = await listenOnFreePort(server)
  onTestFinished(() => { server.closeAllConnections(); server.close() })
  return { url, open }
}

describe('gateway streaming', () => {
  it('streams Server-Sent Events as they come, past the upstream timeout, and lets go when the client leaves', async () => {
    const upstream = await eventSource()
    const { url } = await buildGateway({ CATALOG_UPSTREAMS: upstream.url, NOTIFICATIONS_UPSTREAMS: upstream.url, UPSTREAM_TIMEOUT_MS: '300' })
    const abort = new AbortController()
    const res = await fetch(`${url}/feed`, { signal: abort.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    const started = performance.now()
    const firstAt: number[] = []
    // 8 events take ~800 ms: well past the 300 ms upstream timeout, which bounds only the wait for headers.
    while ((text.match(/event: tick/g) ?? []).length < 8) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value)
      if (firstAt.length === 0) firstAt.push(performance.now() - started)
    }
    expect((text.match(/event: tick/g) ?? []).length).toBeGreaterThanOrEqual(8)
    // The first event arrived on its own, not after the whole stream was buffered.
    expect(firstAt[0]).toBeLessThan(400)
    abort.abort()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(upstream.open.size).toBe(0)
  })
})
