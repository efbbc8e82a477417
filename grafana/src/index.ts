import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { buildDashboard, type DashboardSpec } from './dashboard.js'
import { cacheAside } from './dashboards/cache-aside.js'
import { circuitBreakers } from './dashboards/circuit-breakers.js'
import { idempotencyOutbox } from './dashboards/idempotency-outbox.js'
import { kafkaConsumers } from './dashboards/kafka-consumers.js'
import { optimisticLocking } from './dashboards/optimistic-locking.js'
import { overview } from './dashboards/overview.js'
import { rateLimiting } from './dashboards/rate-limiting.js'

export { buildDashboard, LAB_TAG, ALL_VALUE, GRID_COLUMNS, type DashboardSpec, type RowSpec, type VariableSpec } from './dashboard.js'
export { describe, type PanelSpec, type PanelQuery } from './panel.js'
export { PROMETHEUS } from './datasource.js'

/** Every dashboard of the lab: the overview first, then one per pattern. */
export const dashboardSpecs: DashboardSpec[] = [overview, cacheAside, rateLimiting, circuitBreakers, optimisticLocking, idempotencyOutbox, kafkaConsumers]

/** Where the generated dashboards are committed (the provisioning loads this folder). */
export const DASHBOARDS_DIR = 'grafana/dashboards'

export interface DashboardFile {
  /** Relative to the repository root. */
  path: string
  spec: DashboardSpec
  dashboard: Dashboard
  content: string
}

/** The JSON files as generated from the code: what grafana/dashboards/ must contain, byte for byte. */
export function dashboardFiles (): DashboardFile[] {
  return dashboardSpecs.map((spec) => {
    const dashboard = buildDashboard(spec)
    return { path: `${DASHBOARDS_DIR}/${spec.slug}.json`, spec, dashboard, content: `${JSON.stringify(dashboard, null, 2)}\n` }
  })
}
