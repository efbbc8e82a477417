import { address } from '../topology.js'
import { prometheusConfig } from '../config/prometheus.js'
import { GRAFANA_DASHBOARDS_MOUNT } from './paths.js'

/** Dashboards refer to the datasource by this uid, so it must never change. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus'

/**
 * The Prometheus datasource, provisioned at Grafana's start.
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources
 */
export function grafanaDatasources (): Record<string, unknown> {
  const global = prometheusConfig('docker').global as { scrape_interval: string }
  return {
    apiVersion: 1,
    datasources: [{
      name: 'Prometheus',
      uid: PROMETHEUS_DATASOURCE_UID,
      type: 'prometheus',
      access: 'proxy',
      url: `http://${address('prometheus', 'docker')}`,
      isDefault: true,
      editable: false,
      // The scrape interval, so $__rate_interval never spans fewer than the samples it needs.
      jsonData: { timeInterval: global.scrape_interval }
    }]
  }
}

/**
 * A file provider: every JSON dashboard in grafana/dashboards/ (generated from code, committed) is
 * loaded into one folder and kept read-only, so the code stays their source.
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards
 */
export function grafanaDashboardProviders (): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [{
      name: 'lab',
      orgId: 1,
      folder: 'System Design Lab',
      type: 'file',
      disableDeletion: true,
      allowUiUpdates: false,
      updateIntervalSeconds: 30,
      options: { path: GRAFANA_DASHBOARDS_MOUNT, foldersFromFilesStructure: false }
    }]
  }
}
