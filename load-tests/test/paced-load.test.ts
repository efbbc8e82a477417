import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenOnFreePort } from '@lab/testkit'
import type { LoadRequest } from '../lib/requests.js'
import { runPacedLoad } from '../src/paced-load.js'

/** A target that answers /ok at once and never answers /hang: the lost requests the driver must count. */
let server: Server
let baseUrl: string
const seen: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '')
    if (req.url === '/ok') res.end('{}')
  })
  baseUrl = await listenOnFreePort(server)
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => { server.close(resolve) })
})

async function run (path: string, durationSeconds: number) {
  const answered: number[] = []
  const lost: LoadRequest[] = []
  seen.length = 0
  const started = performance.now()
  const result = await runPacedLoad({
    baseUrl,
    rate: 4,
    durationSeconds,
    maxConnections: 4,
    timeoutSeconds: 1,
    next: () => ({ name: 'probe', method: 'GET', path }),
    onAnswer: (_req, status) => { answered.push(status) },
    onNoAnswer: (req) => { lost.push(req) }
  })
  return { result, answered, lost, seconds: (performance.now() - started) / 1000 }
}

describe('runPacedLoad', () => {
  it('sends rate × duration requests over one connection per instance, each answered once', async () => {
    const { result, answered, lost } = await run('/ok', 2)
    expect(result).toMatchObject({ connections: 4, sent: 8, unfinished: 0 })
    expect(answered).toEqual(Array(8).fill(200))
    expect(lost).toEqual([])
    expect(seen).toHaveLength(8)
  })

  it('counts every request that never got an answer once, and still ends soon after the window plus the timeout', async () => {
    const { result, answered, lost, seconds } = await run('/hang', 2)
    expect(answered).toEqual([])
    // Each instance: its first request times out after 1 s, the second is sent on the new connection and
    // times out too; the instance then ends with that last one unanswered.
    expect(result.sent).toBe(8)
    expect(lost).toHaveLength(8)
    expect(result.unfinished).toBe(4)
    expect(seen).toHaveLength(8)
    expect(seconds).toBeLessThan(2 + 1 + 1.5)
  })
})
