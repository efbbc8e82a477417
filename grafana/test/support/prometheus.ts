import { setTimeout as sleep } from 'node:timers/promises'

export interface QueryAnswer {
  status: 'success' | 'error'
  errorType?: string
  error?: string
  data?: { resultType: 'vector' | 'matrix' | 'scalar' | 'string', result: unknown }
}

/** Prometheus' HTTP API: instant queries, label values, scrape jobs. */
export class PrometheusApi {
  constructor (readonly url: string) {}

  /** An instant query at the current time, posted as a form (long expressions do not fit a URL). */
  async query (promql: string): Promise<QueryAnswer> {
    const res = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: promql })
    })
    return await res.json() as QueryAnswer
  }

  /** The result's series (a scalar counts as one); throws with Prometheus' message on an error. */
  async series (promql: string): Promise<Array<{ metric: Record<string, string>, value: [number, string] }>> {
    const answer = await this.query(promql)
    if (answer.status !== 'success' || answer.data === undefined) throw new Error(`${answer.errorType ?? 'error'}: ${answer.error ?? 'no data'} in ${promql}`)
    if (answer.data.resultType === 'scalar') return [{ metric: {}, value: answer.data.result as [number, string] }]
    return answer.data.result as Array<{ metric: Record<string, string>, value: [number, string] }>
  }

  async scalar (promql: string): Promise<number | undefined> {
    const [first] = await this.series(promql)
    return first === undefined ? undefined : Number(first.value[1])
  }

  /** Resolves once `promql` answers with at least one series; throws after `timeoutMs`. */
  async waitFor (promql: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while ((await this.series(promql)).length === 0) {
      if (Date.now() > deadline) throw new Error(`no series for ${promql} within ${timeoutMs} ms`)
      await sleep(500)
    }
  }

  async labelValues (label: string, match: string): Promise<string[]> {
    const res = await fetch(`${this.url}/api/v1/label/${encodeURIComponent(label)}/values?${new URLSearchParams({ 'match[]': match }).toString()}`)
    const body = await res.json() as { status: string, data?: string[], error?: string }
    if (body.status !== 'success') throw new Error(`label values of ${label} for ${match}: ${body.error ?? body.status}`)
    return body.data ?? []
  }

  /**
   * Resolves once every target has been scraped at least twice since `sinceMs` (its last scrape is
   * more than one interval after it) and answered its last scrape. Two, because a rate needs two
   * samples of a series the traffic has only just created; answered, because a target that is
   * restarting has no series at all for a moment (someone else reloading a service of the shared lab).
   */
  async waitForScrapesAfter (sinceMs: number, intervalSeconds: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const wanted = sinceMs / 1000 + intervalSeconds
    for (;;) {
      const oldest = await this.scalar('min(timestamp(up))')
      const down = (await this.series('up == 0')).map((s) => `${s.metric.job ?? '?'}/${s.metric.instance ?? '?'}`)
      if (oldest !== undefined && oldest > wanted && down.length === 0) return
      if (Date.now() > deadline) {
        throw new Error(`Prometheus has not scraped every target twice, all answering, within ${timeoutMs} ms (oldest last scrape ${oldest ?? 'none'}, down: ${down.join(', ') || 'none'})`)
      }
      await sleep(500)
    }
  }
}

/**
 * The query a panel means when it ends in a fallback for "nothing now" (`… or vector(0)`, `… or on ()
 * label_replace(vector(0), …)`), or undefined without one: the fallback always answers, so it would
 * hide a broken main query from a check for "no series".
 */
export function withoutZeroFallback (promql: string): string | undefined {
  return /^([\s\S]+?)\s+or\s+(?:on\s*\(\)\s*)?(?:label_replace\(\s*)?vector\(0\)[\s\S]*$/.exec(promql.trim())?.[1]
}
