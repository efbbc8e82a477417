import { address } from '../../infra/topology.js'
import type { Prometheus } from './prometheus.js'
import type { Verdict } from './types.js'

/** Where the native lab answers (infra/topology.ts, the one source of ports). */
export interface LabUrls {
  gateway: string
  prometheus: string
  catalogReplicas: string[]
  inventory: string
  redis: string
  postgres: (database: string) => string
}

export function labUrls (): LabUrls {
  return {
    gateway: `http://${address('gateway', 'native')}`,
    prometheus: `http://${address('prometheus', 'native')}`,
    catalogReplicas: ['catalog-1', 'catalog-2'].map((n) => `http://${address(n, 'native')}`),
    inventory: `http://${address('inventory', 'native')}`,
    // Redis and PostgreSQL themselves, not through Toxiproxy: the experiment's own reads and clean-up
    // must not suffer the faults it injects between the services and their dependencies.
    redis: `redis://${address('redis', 'native')}`,
    postgres: (database) => `postgres://lab:lab@${address('postgres', 'native')}/${database}`
  }
}

/** The steady state: the gateway ready (a catalog replica in rotation) and every scrape target up. */
export async function steadyState (urls: LabUrls, prometheus: Prometheus): Promise<{ healthy: boolean, verdicts: Verdict[], problems: string[] }> {
  const problems: string[] = []
  let ready = 0
  try {
    const res = await fetch(`${urls.gateway}/health/ready`, { signal: AbortSignal.timeout(3000) })
    await res.body?.cancel()
    ready = res.status === 200 ? 1 : 0
    if (ready === 0) problems.push(`gateway /health/ready answered ${res.status}`)
  } catch (err) {
    problems.push(`gateway ${urls.gateway} unreachable: ${(err as Error).message}`)
  }
  const targets = await prometheus.targets()
  const down = targets.filter((t) => t.health !== 'up')
  for (const t of down) problems.push(`target ${t.job}/${t.instance} ${t.health}${t.lastError === '' ? '' : `: ${t.lastError}`}`)
  const verdicts: Verdict[] = [
    { name: 'gateway /health/ready answers 200', measured: ready, unit: '', threshold: '= 1 (ready)', pass: ready === 1 },
    { name: 'Prometheus targets up', measured: targets.length - down.length, unit: `of ${targets.length}`, threshold: 'all', pass: down.length === 0 && targets.length > 0 }
  ]
  return { healthy: verdicts.every((v) => v.pass), verdicts, problems }
}

/**
 * The sum of a metric's samples in a service's own /metrics whose labels include `labels`: exact and
 * immediate, for a count that cannot wait for Prometheus' next scrape (a burst of a second).
 */
export async function scrapeSum (url: string, metric: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue
    const brace = line.indexOf('}')
    const labelText = brace < 0 ? '' : line.slice(metric.length + 1, brace)
    if (!wanted.every((w) => labelText.split(',').includes(w))) continue
    sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}
