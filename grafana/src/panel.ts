import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import { BigValueColorMode, BigValueGraphMode, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, SortOrder, TooltipDisplayMode, VisibilityMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common'
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode, type GridPos, type Panel, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline'
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries'
import { PROMETHEUS } from './datasource.js'

export interface PanelQuery {
  expr: string
  /** Grafana legend template, e.g. `{{job}}`. */
  legend?: string
}

/**
 * One panel, as the reader should understand it: what it plots, what it looks like while the pattern
 * holds, and what it looks like when the pattern (or what it protects) is broken.
 */
export interface PanelSpec {
  /** timeseries (default), stat (one big number per series) or state (a state timeline). */
  kind?: 'timeseries' | 'stat' | 'state'
  title: string
  shows: string
  healthy: string
  broken: string
  queries: PanelQuery[]
  /** A Grafana unit id: reqps, percentunit, s, bytes, short, ... */
  unit?: string
  min?: number
  max?: number
  /** Colour steps from the lowest value up: [from, colour]; the first `from` is null (−∞). */
  steps?: Array<[number | null, string]>
  /** Display texts (and colours) for exact values, e.g. a breaker's 0/1/2. */
  valueTexts?: Record<string, { text: string, color: string }>
  /** Grid width in columns (of 24; default 12) and height in rows (default 8). */
  width?: number
  height?: number
  /** A scrape job outside the lab's own services whose metrics the panel reads (an exporter). */
  needsJob?: string
}

/** The panel description: the three sentences every panel must carry. */
export function describe (spec: Pick<PanelSpec, 'shows' | 'healthy' | 'broken'>): string {
  return `${spec.shows}\n\nWhen it works: ${spec.healthy}\n\nWhen it is broken: ${spec.broken}`
}

type AnyPanelBuilder = TimeseriesPanelBuilder | StatPanelBuilder | StateTimelinePanelBuilder

function visualisation (spec: PanelSpec): AnyPanelBuilder {
  const legend = new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([])
  switch (spec.kind ?? 'timeseries') {
    case 'stat':
      return new StatPanelBuilder()
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .graphMode(BigValueGraphMode.Area)
        .colorMode(BigValueColorMode.Background)
    case 'state':
      return new StateTimelinePanelBuilder().legend(legend).fillOpacity(80).showValue(VisibilityMode.Auto)
    default:
      return new TimeseriesPanelBuilder()
        .legend(legend)
        .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
        .fillOpacity(10)
        .lineWidth(1)
  }
}

function mappings (texts: PanelSpec['valueTexts']): ValueMapping[] {
  if (texts === undefined) return []
  const options = Object.fromEntries(Object.entries(texts).map(([value, result], index) => [value, { ...result, index }]))
  return [{ type: MappingType.ValueToText, options }]
}

/** The SDK builder for one panel at a fixed id and grid position. */
export function buildPanel (spec: PanelSpec, id: number, gridPos: GridPos): cog.Builder<Panel> {
  const panel = visualisation(spec)
    .id(id)
    .title(spec.title)
    .description(describe(spec))
    .datasource(PROMETHEUS)
    .gridPos(gridPos)
  spec.queries.forEach((query, i) => {
    const target = new DataqueryBuilder().datasource(PROMETHEUS).refId(String.fromCharCode(65 + i)).expr(query.expr)
    panel.withTarget(query.legend === undefined ? target : target.legendFormat(query.legend))
  })
  if (spec.unit !== undefined) panel.unit(spec.unit)
  if (spec.min !== undefined) panel.min(spec.min)
  if (spec.max !== undefined) panel.max(spec.max)
  if (spec.steps !== undefined) {
    panel.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(spec.steps.map(([value, color]) => ({ value, color }))))
  }
  if (spec.valueTexts !== undefined) panel.mappings(mappings(spec.valueTexts))
  return panel
}
