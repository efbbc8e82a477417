import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import type { DashboardFile } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../../..')

/** The Prometheus datasource as provisioned for Grafana (generated from infra/docker/grafana.ts). */
export function provisionedDatasource (): { uid: string, scrapeIntervalSeconds: number } {
  const file = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: Array<{ uid: string, type: string, jsonData?: { timeInterval?: string } }>
  }
  const prometheus = file.datasources.find((d) => d.type === 'prometheus')
  if (prometheus === undefined) throw new Error('grafana/provisioning/datasources/prometheus.yml has no prometheus datasource')
  return { uid: prometheus.uid, scrapeIntervalSeconds: durationSeconds(prometheus.jsonData?.timeInterval ?? '15s') }
}

/** `5s`, `30m`, `1h` → seconds. */
export function durationSeconds (text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (match === null) throw new Error(`not a duration: ${text}`)
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * factor
}

/**
 * The values Grafana gives its built-in variables for a dashboard over `rangeSeconds`, drawn with at
 * most `maxDataPoints` points: $__interval is range / points, never below the datasource's scrape
 * interval; $__rate_interval is max($__interval + scrape interval, 4 × scrape interval).
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#use-__rate_interval
 */
export function builtInVariables (rangeSeconds: number, scrapeIntervalSeconds: number, maxDataPoints = 1000): Record<string, string> {
  const interval = Math.max(scrapeIntervalSeconds, Math.ceil(rangeSeconds / maxDataPoints))
  const rateInterval = Math.max(interval + scrapeIntervalSeconds, 4 * scrapeIntervalSeconds)
  return {
    __interval: `${interval}s`,
    __interval_ms: String(interval * 1000),
    __rate_interval: `${rateInterval}s`,
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000)
  }
}

/** The dashboard's default time range (`now-30m` to `now`) in seconds. */
export function dashboardRangeSeconds (dashboard: Dashboard): number {
  const from = /^now-(\w+)$/.exec(dashboard.time?.from ?? '')
  if (from?.[1] === undefined || dashboard.time?.to !== 'now') throw new Error(`dashboard ${dashboard.uid}: time range must be now-<duration> to now`)
  return durationSeconds(from[1])
}

/** Every dashboard variable at "All" (its allValue), the way a user first opens the dashboard. */
export function variablesAtAll (dashboard: Dashboard): Record<string, string> {
  const values: Record<string, string> = {}
  for (const v of dashboard.templating?.list ?? []) {
    if (v.includeAll !== true || v.allValue === undefined) throw new Error(`dashboard ${dashboard.uid}: variable ${v.name} needs includeAll and an allValue`)
    values[v.name] = v.allValue
  }
  return values
}

/** `expr` with `$name` and `${name}` replaced; a variable that has no value is an error, not left in. */
export function substitute (expr: string, values: Record<string, string>): string {
  return expr.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? ''
    const value = values[name]
    if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`)
    return value
  })
}

export interface PanelQueryRef {
  dashboard: string
  panelId: number
  panel: string
  refId: string
  /** As written in the dashboard. */
  expr: string
  /** With Grafana's variables substituted: what Prometheus receives. */
  promql: string
  /** A scrape job beyond the lab's services that the panel reads (an exporter), when it says so. */
  needsJob?: string
}

/** Every target of every panel, with the variables substituted as Grafana would at the default range. */
export function panelQueries (files: DashboardFile[], scrapeIntervalSeconds: number): PanelQueryRef[] {
  const refs: PanelQueryRef[] = []
  for (const { spec, dashboard } of files) {
    const needsJob = new Map(spec.rows.flatMap((row) => row.panels).map((p) => [p.title, p.needsJob]))
    const values = { ...builtInVariables(dashboardRangeSeconds(dashboard), scrapeIntervalSeconds), ...variablesAtAll(dashboard) }
    for (const panel of dashboard.panels ?? []) {
      if (panel.type === 'row' || !('targets' in panel)) continue
      for (const target of (panel.targets ?? []) as Array<{ refId?: string, expr?: string }>) {
        const expr = target.expr ?? ''
        const job = needsJob.get(panel.title ?? '')
        refs.push({
          dashboard: dashboard.uid ?? '?',
          panelId: panel.id ?? -1,
          panel: panel.title ?? '',
          refId: target.refId ?? '?',
          expr,
          promql: substitute(expr, values),
          ...(job === undefined ? {} : { needsJob: job })
        })
      }
    }
  }
  return refs
}
