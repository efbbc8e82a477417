import autocannon from 'autocannon'
import { LatencyRecorder, percentile } from './stats.js'

/** How the responses' `x-cache` headers split (the catalog's hit | miss | bypass). */
export interface CacheShare { hit: number, miss: number, bypass: number, other: number }

export interface LoadResult {
  title: string
  url: string
  connections: number
  /** Seconds the run took (shorter than asked when it stopped at `maxRequests`). */
  durationSeconds: number
  requests: number
  requestsPerSecond: number
  /** From each 2xx response's own time, with decimals (see stats.ts). */
  p50Ms: number
  p99Ms: number
  /** autocannon's own percentiles, whole milliseconds: kept for comparison. */
  autocannon: { p50Ms: number, p99Ms: number, averageMs: number }
  /** Connection errors and timeouts. */
  errors: number
  non2xx: number
  cache?: CacheShare
  stoppedAtMaxRequests: boolean
}

export interface LoadSpec {
  title: string
  url: string
  connections: number
  durationSeconds: number
  /** Path of each request, given the request's sequence number (0, 1, 2, ...) across all connections. */
  pathOf?: (sequence: number) => string
  /** Stop after this many requests, before the duration if need be. */
  maxRequests?: number
  /** Count the `x-cache` header of every response. */
  countCache?: boolean
  /** Called about once a second with the elapsed seconds and the last second's responses. */
  onTick?: (elapsedSeconds: number, responsesLastSecond: number) => void
}

function headerValue (headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return String(value)
  return undefined
}

/** One autocannon run (in this process: no workers, so the closures below see every request). */
export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const latencies = new LatencyRecorder()
  const cache: CacheShare = { hit: 0, miss: 0, bypass: 0, other: 0 }
  let sequence = 0
  const request: autocannon.Request = { method: 'GET' }
  if (spec.pathOf !== undefined) {
    const pathOf = spec.pathOf
    request.setupRequest = (req) => ({ ...req, path: pathOf(sequence++) })
  }
  if (spec.countCache === true) {
    request.onResponse = (_status, _body, _context, headers) => {
      const value = headerValue(headers as Record<string, unknown> | undefined, 'x-cache')
      if (value === 'hit' || value === 'miss' || value === 'bypass') cache[value]++
      else cache.other++
    }
  }
  const options: autocannon.Options = {
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    requests: [request],
    ...(spec.maxRequests === undefined ? {} : { maxOverallRequests: spec.maxRequests })
  }
  const started = Date.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, res: autocannon.Result) => { err === null || err === undefined ? resolve(res) : reject(err) })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime)
    })
    // autocannon passes { counter, bytes } to its tick listeners (lib/run.js); its typings say nothing.
    instance.on('tick', ((tick: { counter: number }) => {
      spec.onTick?.(Math.round((Date.now() - started) / 1000), tick.counter)
    }) as () => void)
  })
  const sorted = latencies.sorted()
  const completed = result.requests.total
  return {
    title: spec.title,
    url: spec.url,
    connections: spec.connections,
    durationSeconds: result.duration,
    requests: completed,
    requestsPerSecond: result.duration > 0 ? completed / result.duration : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    autocannon: { p50Ms: result.latency.p50, p99Ms: result.latency.p99, averageMs: result.latency.average },
    errors: result.errors,
    non2xx: result.non2xx,
    ...(spec.countCache === true ? { cache } : {}),
    stoppedAtMaxRequests: spec.maxRequests !== undefined && completed >= spec.maxRequests
  }
}
