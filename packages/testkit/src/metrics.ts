import type { Registry } from 'prom-client'

/** The current value of a metric, summed over the series whose labels match `labels` (0 when absent). */
export async function metricValue (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return 0
  const { values } = await metric.get()
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0)
}

/**
 * metricValue for a service in another process: its `GET /metrics` (Prometheus text format), the
 * samples named exactly `name` whose labels match `labels`, summed (0 when absent).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export async function scrapedMetricValue (baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`)
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`)
  return samples(await res.text(), name)
    .filter((sample) => Object.entries(labels).every(([k, want]) => sample.labels[k] === want))
    .reduce((sum, sample) => sum + sample.value, 0)
}

/** The samples of one metric in an exposition: `name{a="1",b="x"} 3` or `name 3`. */
function samples (text: string, name: string): Array<{ labels: Record<string, string>, value: number }> {
  const found: Array<{ labels: Record<string, string>, value: number }> = []
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !/^[{ ]/.test(line.slice(name.length))) continue
    const hasLabels = line[name.length] === '{'
    const close = line.lastIndexOf('}')
    const labelText = hasLabels ? line.slice(name.length + 1, close) : ''
    const labels: Record<string, string> = {}
    for (const [, key, raw] of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (raw as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    }
    const [value] = line.slice(hasLabels ? close + 1 : name.length).trim().split(' ')
    found.push({ labels, value: Number(value) })
  }
  return found
}
