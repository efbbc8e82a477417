import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common'
import { PROMETHEUS_DATASOURCE_UID } from '../../infra/docker/grafana.js'

/** The provisioned Prometheus datasource (infra/docker/grafana.ts), referred to by its fixed uid. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID }
