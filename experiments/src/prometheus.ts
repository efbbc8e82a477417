import { setTimeout as sleep } from 'node:timers/promises'

/**
 * The Prometheus HTTP API calls the experiments make: instant and range queries (PromQL), the scrape
 * targets, and a wait for fresh scrapes, so that a counter read after a phase includes all of it.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/
 */
export interface Sample { labels: Record<string, string>, value: number }
export interface RangeSeries { labels: Record<string, string>, points: Array<[number, number]> }
export interface Target { job: string, instance: string, health: string, lastScrapeMs: number, lastError: string }

interface Answer { status?: string, data?: unknown, errorType?: string, error?: string }

export class Prometheus {
  constructor (readonly url: string) {}

  private async call (path: string, params: Record<string, string>): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(`${this.url}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(10_000)
      })
    } catch (err) {
      throw new Error(`cannot reach Prometheus at ${this.url}: ${(err as Error).message} (is the lab up? ./lab up -d)`, { cause: err })
    }
    const answer = await res.json() as Answer
    if (answer.status !== 'success') throw new Error(`Prometheus ${path} ${params.query ?? ''}: ${answer.errorType ?? 'error'}: ${answer.error ?? res.status}`)
    return answer.data
  }

  /** An instant vector (a scalar reads as one sample), at `atMs` or now. */
  async vector (expr: string, atMs?: number): Promise<Sample[]> {
    const data = await this.call('query', { query: expr, ...(atMs === undefined ? {} : { time: String(atMs / 1000) }) }) as { resultType: string, result: unknown }
    if (data.resultType === 'scalar') return [{ labels: {}, value: Number((data.result as [number, string])[1]) }]
    return (data.result as Array<{ metric: Record<string, string>, value: [number, string] }>).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }))
  }

  /** The sum of the vector's values; NaN when it is empty (nothing to measure is not zero). */
  async value (expr: string, atMs?: number): Promise<number> {
    const samples = await this.vector(expr, atMs)
    return samples.length === 0 ? Number.NaN : samples.reduce((sum, s) => sum + s.value, 0)
  }

  async range (expr: string, startMs: number, endMs: number, stepSeconds = 1): Promise<RangeSeries[]> {
    const data = await this.call('query_range', { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds) }) as { result: Array<{ metric: Record<string, string>, values: Array<[number, string]> }> }
    return data.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]) }))
  }

  async targets (): Promise<Target[]> {
    const res = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(10_000) })
    const answer = await res.json() as Answer
    const data = answer.data as { activeTargets: Array<{ labels: Record<string, string>, health: string, lastScrape: string, lastError: string }> }
    return data.activeTargets.map((t) => ({ job: t.labels.job ?? '?', instance: t.labels.instance ?? '?', health: t.health, lastScrapeMs: Date.parse(t.lastScrape), lastError: t.lastError }))
  }

  /** Resolves once every active target (of `job`, if given) has been scraped after `sinceMs`. */
  async scrapedAfter (sinceMs: number, { job, timeoutMs = 30_000 }: { job?: string, timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const targets = (await this.targets()).filter((t) => job === undefined || t.job === job)
      if (targets.length > 0 && targets.every((t) => t.lastScrapeMs > sinceMs)) return
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape ${job ?? 'every target'} within ${timeoutMs / 1000} s`)
      await sleep(500)
    }
  }

  /** A counter expression's value once `job` has been scraped after now: a phase's end, counted whole. */
  async freshValue (expr: string, job: string): Promise<number> {
    await this.scrapedAfter(Date.now(), { job })
    return await this.value(expr)
  }
}
