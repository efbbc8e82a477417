/**
 * The few Prometheus HTTP API calls the bench makes, and the pure parsing of their answers.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/
 */

/** One element of an instant vector: its labels and its value. */
export interface Sample { labels: Record<string, string>, value: number }

/** What /api/v1/status/tsdb says about the head block (the series Prometheus holds in memory). */
export interface TsdbStatus {
  numSeries: number
  /** The metric names with the most series, largest first (Prometheus gives its top 10). */
  seriesCountByMetricName: Array<{ name: string, value: number }>
  /** The label names with the most distinct values. */
  labelValueCountByLabelName: Array<{ name: string, value: number }>
  /** The label pairs (`job=gateway`) in the most head series: where series that went stale came from. */
  seriesCountByLabelValuePair: Array<{ name: string, value: number }>
}

export class PrometheusError extends Error {
  override name = 'PrometheusError'
}

interface ApiAnswer { status?: string, data?: unknown, errorType?: string, error?: string }

function dataOf (answer: unknown, what: string): unknown {
  const a = answer as ApiAnswer
  if (a?.status !== 'success') throw new PrometheusError(`${what}: ${a?.errorType ?? 'error'}: ${a?.error ?? JSON.stringify(answer).slice(0, 200)}`)
  return a.data
}

/** The samples of an instant query's answer; fails on an error or on a result that is not a vector. */
export function parseVector (answer: unknown, expr = 'query'): Sample[] {
  const data = dataOf(answer, expr) as { resultType?: string, result?: Array<{ metric: Record<string, string>, value: [number, string] }> }
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) throw new PrometheusError(`${expr}: expected a vector, got ${data?.resultType ?? 'nothing'}`)
  return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }))
}

export function parseTsdbStatus (answer: unknown): TsdbStatus {
  const data = dataOf(answer, '/api/v1/status/tsdb') as Partial<Omit<TsdbStatus, 'numSeries'> & { headStats: { numSeries: number } }>
  const numSeries = data?.headStats?.numSeries
  if (typeof numSeries !== 'number') throw new PrometheusError('/api/v1/status/tsdb: no headStats.numSeries in the answer')
  return {
    numSeries,
    seriesCountByMetricName: data.seriesCountByMetricName ?? [],
    labelValueCountByLabelName: data.labelValueCountByLabelName ?? [],
    seriesCountByLabelValuePair: data.seriesCountByLabelValuePair ?? []
  }
}

export interface Prometheus {
  url: string
  query: (expr: string) => Promise<Sample[]>
  tsdb: () => Promise<TsdbStatus>
  /** Waits until every active target has been scraped after `since` (so the last traffic is counted). */
  scrapedSince: (since: Date, timeoutMs: number) => Promise<void>
}

async function getJson (url: string): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  } catch (err) {
    throw new PrometheusError(`cannot reach Prometheus at ${new URL(url).origin}: ${(err as Error).message} (is the lab up? ./lab up -d)`)
  }
  return await response.json()
}

export function prometheus (url: string): Prometheus {
  const api = (path: string) => `${url}/api/v1/${path}`
  return {
    url,
    query: async (expr) => parseVector(await getJson(api(`query?query=${encodeURIComponent(expr)}`)), expr),
    tsdb: async () => parseTsdbStatus(await getJson(api('status/tsdb'))),
    scrapedSince: async (since, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const data = dataOf(await getJson(api('targets?state=active')), '/api/v1/targets') as { activeTargets: Array<{ lastScrape: string }> }
        if (data.activeTargets.every((t) => new Date(t.lastScrape) > since)) return
        if (Date.now() > deadline) throw new PrometheusError(`not every target was scraped within ${timeoutMs / 1000} s`)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  }
}
