import type { Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard'
import { describe, expect, it } from 'vitest'
import { scrapeTargets } from '../../infra/topology.js'
import { dashboardFiles, GRID_COLUMNS } from '../src/index.js'
import { panelQueries, provisionedDatasource } from './support/grafana-variables.js'
import { withoutZeroFallback } from './support/prometheus.js'
import { promtoolSyntaxErrors } from './support/promtool.js'

const files = dashboardFiles()
const datasource = provisionedDatasource()
const panelsOf = (file: typeof files[number]) => (file.dashboard.panels ?? []) as Array<Panel | RowPanel>
interface Target { refId?: string, datasource?: { uid?: string } }
const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === 'row'
const where = (file: typeof files[number], p: Panel | RowPanel) => `${file.dashboard.uid} panel ${p.id} "${p.title ?? ''}"`

describe('dashboard structure', () => {
  it('has an overview and one dashboard per pattern, with unique uids', () => {
    const uids = files.map((f) => f.dashboard.uid)
    expect(new Set(uids).size).toBe(uids.length)
    expect(uids).toEqual(['lab-overview', 'lab-cache-aside', 'lab-rate-limiting', 'lab-circuit-breakers', 'lab-optimistic-locking', 'lab-idempotency-outbox', 'lab-kafka-consumers'])
  })

  it('gives every panel (row headers included) an id unique within its dashboard', () => {
    for (const file of files) {
      const ids = panelsOf(file).map((p) => p.id)
      expect(ids.every((id) => Number.isInteger(id)), file.path).toBe(true)
      expect(new Set(ids).size, file.path).toBe(ids.length)
    }
  })

  it('points every panel, query and variable at the provisioned Prometheus datasource', () => {
    const wrong: string[] = []
    for (const file of files) {
      for (const p of panelsOf(file)) {
        if (isRow(p)) continue
        if (p.datasource?.uid !== datasource.uid) wrong.push(`${where(file, p)}: ${p.datasource?.uid}`)
        for (const t of (p.targets ?? []) as Target[]) if (t.datasource?.uid !== datasource.uid) wrong.push(`${where(file, p)} ${t.refId}: ${t.datasource?.uid}`)
      }
      for (const v of file.dashboard.templating?.list ?? []) if (v.datasource?.uid !== datasource.uid) wrong.push(`${file.dashboard.uid} variable ${v.name}`)
    }
    expect(wrong).toEqual([])
  })

  it('keeps every panel inside the 24-column grid, with no two overlapping', () => {
    const problems: string[] = []
    for (const file of files) {
      const boxes = panelsOf(file).map((p) => ({ p, g: p.gridPos }))
      for (const { p, g } of boxes) {
        if (g === undefined) { problems.push(`${where(file, p)}: no gridPos`); continue }
        if (g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1 || g.x + g.w > GRID_COLUMNS) problems.push(`${where(file, p)}: outside the grid ${JSON.stringify(g)}`)
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          if (a.g === undefined || b.g === undefined) continue
          const overlap = a.g.x < b.g.x + b.g.w && b.g.x < a.g.x + a.g.w && a.g.y < b.g.y + b.g.h && b.g.y < a.g.y + a.g.h
          if (overlap) problems.push(`${where(file, a.p)} overlaps ${where(file, b.p)}`)
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('titles every panel in words and describes what working and broken look like', () => {
    const problems: string[] = []
    for (const file of files) {
      const titles = new Set<string>()
      for (const p of panelsOf(file)) {
        const title = p.title?.trim() ?? ''
        if (title === '') problems.push(`${where(file, p)}: no title`)
        if (titles.has(title)) problems.push(`${where(file, p)}: title used twice`)
        titles.add(title)
        if (isRow(p)) continue
        const description = p.description ?? ''
        if (!description.includes('When it works: ') || !description.includes('When it is broken: ')) problems.push(`${where(file, p)}: description lacks the working/broken sentences`)
        if ((p.targets ?? []).length === 0) problems.push(`${where(file, p)}: no query`)
      }
    }
    expect(problems).toEqual([])
  })

  it('aggregates every query (bounded series, whatever the instances), and each parses with promtool', async () => {
    const queries = panelQueries(files, datasource.scrapeIntervalSeconds)
    expect(queries.length).toBeGreaterThan(40)
    const unaggregated = queries.filter((q) => !/^\(?\s*(sum|max|min|avg|count|histogram_quantile)\b/.test(q.expr)).map((q) => `${q.dashboard} "${q.panel}": ${q.expr}`)
    expect(unaggregated).toEqual([])
    const names = queries.map((q) => ({ name: `${q.dashboard}:panel_${q.panelId}_${q.refId}`, promql: q.promql }))
    expect(await promtoolSyntaxErrors(names)).toBe('')
  })

  it('names only scrape jobs the topology has, in job matchers and in the exporters panels need', () => {
    const jobs = new Set(scrapeTargets('native').map((t) => t.job))
    const unknown: string[] = []
    for (const file of files) {
      for (const panel of file.spec.rows.flatMap((r) => r.panels)) {
        const named = [...panel.queries.flatMap((q) => [...q.expr.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1] ?? '')), ...(panel.needsJob === undefined ? [] : [panel.needsJob])]
        for (const job of named) if (!jobs.has(job)) unknown.push(`${file.dashboard.uid} "${panel.title}": job ${job}`)
      }
    }
    expect(unknown).toEqual([])
  })

  it('finds the main query of every panel that falls back to 0, so the live check can ask it for series too', () => {
    const fallbacks = panelQueries(files, provisionedDatasource().scrapeIntervalSeconds).filter((q) => /vector\(0\)/.test(q.promql))
    expect(fallbacks.length).toBeGreaterThan(0)
    for (const q of fallbacks) expect(withoutZeroFallback(q.promql), `${q.dashboard} / ${q.panel}`).toMatch(/^count(?: by \(alertname\) )?\(ALERTS\{alertstate="firing"\}\)$/)
    expect(withoutZeroFallback('sum(rate(http_server_requests_total[1m]))')).toBeUndefined()
  })
})
