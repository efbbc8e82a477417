import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort, type Dashboard, type GridPos } from '@grafana/grafana-foundation-sdk/dashboard'
import { PROMETHEUS } from './datasource.js'
import { buildPanel, type PanelSpec } from './panel.js'

/** Every lab dashboard carries this tag; the dashboards' link menu lists them by it. */
export const LAB_TAG = 'system-design-lab'
export const GRID_COLUMNS = 24

/** A multi-value dashboard variable over one label's values; "All" matches any value. */
export interface VariableSpec {
  name: string
  label: string
  metric: string
  labelName: string
}

export interface RowSpec {
  title: string
  panels: PanelSpec[]
}

export interface DashboardSpec {
  /** File name (grafana/dashboards/<slug>.json); the uid is `lab-<slug>`. */
  slug: string
  title: string
  description: string
  tags: string[]
  variables?: VariableSpec[]
  rows: RowSpec[]
}

/** The value Grafana substitutes for a variable set to "All" (a regex: use it with =~). */
export const ALL_VALUE = '.+'

function variable (spec: VariableSpec): QueryVariableBuilder {
  const query = `label_values(${spec.metric}, ${spec.labelName})`
  return new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(PROMETHEUS)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL_VALUE)
    .current({ text: 'All', value: '$__all' })
}

/**
 * Lays the panels out left to right, wrapping at 24 columns, each row of the spec under its own
 * (expanded) row header; panel ids are 1, 2, ... in that order, row headers included.
 */
export function buildDashboard (spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(`lab-${spec.slug}`)
    .description(spec.description)
    .tags([LAB_TAG, ...spec.tags])
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .timezone('browser')
    .link(new DashboardLinkBuilder('Lab dashboards').type(DashboardLinkType.Dashboards).tags([LAB_TAG]).asDropdown(true).keepTime(true).includeVars(false))
  for (const v of spec.variables ?? []) builder.withVariable(variable(v))

  let id = 0
  let y = 0
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title).id(++id).gridPos({ x: 0, y, w: GRID_COLUMNS, h: 1 }))
    y += 1
    let x = 0
    let lineHeight = 0
    for (const panel of row.panels) {
      const w = panel.width ?? 12
      const h = panel.height ?? 8
      if (x + w > GRID_COLUMNS) {
        x = 0
        y += lineHeight
        lineHeight = 0
      }
      const gridPos: GridPos = { x, y, w, h }
      builder.withPanel(buildPanel(panel, ++id, gridPos))
      x += w
      lineHeight = Math.max(lineHeight, h)
    }
    y += lineHeight
  }
  return builder.build()
}
