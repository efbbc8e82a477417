import { join, resolve } from 'node:path'
import { address, DATABASES, scrapeTargets, type Mode } from '../topology.js'

/** The alert rules, hand-written PromQL with their promtool unit tests beside them (alerts.test.yml). */
export const ALERT_RULES_PATH = 'infra/prometheus/alerts.yml'
export const ALERT_RULES_TESTS_PATH = 'infra/prometheus/alerts.test.yml'

const ROOT = resolve(import.meta.dirname, '../..')

/**
 * Where Prometheus finds the rules. Docker: `alerts.yml`, relative to the config file, which is
 * mounted beside it in /etc/prometheus; the same relative path works for `promtool check config` on
 * the generated file, which lives beside the rules in the repository. Native: the repository's file
 * itself, so an edited rule needs only a reload (POST /-/reload).
 */
function rulesFile (mode: Mode): string {
  return mode === 'docker' ? 'alerts.yml' : join(ROOT, ALERT_RULES_PATH)
}

/**
 * Series a job's scrape keeps. The PostgreSQL exporter reports every database on the server, and test
 * runs create one per test file: without this, each run leaves ~130 series per test database in
 * Prometheus' head (17,600 head series measured during a test run, against ~4,200 live). Only the
 * lab's own databases are kept (and series with no `datname` at all).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#metric_relabel_configs
 */
const METRIC_RELABELS: Record<string, unknown[]> = {
  'postgres-exporter': [{ source_labels: ['datname'], regex: ['', 'postgres', ...DATABASES].join('|'), action: 'keep' }]
}

/** Prometheus configuration for a mode, as a plain object (serialised to YAML by the caller). */
export function prometheusConfig (mode: Mode): Record<string, unknown> {
  const byJob = new Map<string, Array<{ targets: string[], labels: { instance: string } }>>()
  for (const t of scrapeTargets(mode)) {
    const groups = byJob.get(t.job) ?? []
    groups.push({ targets: [t.target], labels: { instance: t.instance } })
    byJob.set(t.job, groups)
  }
  return {
    global: { scrape_interval: '5s', evaluation_interval: '5s', external_labels: { lab: 'system-design-lab' } },
    rule_files: [rulesFile(mode)],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [address('alertmanager', mode)] }] }] },
    scrape_configs: [...byJob].map(([job, groups]) => ({
      job_name: job,
      static_configs: groups,
      ...(METRIC_RELABELS[job] === undefined ? {} : { metric_relabel_configs: METRIC_RELABELS[job] })
    }))
  }
}
