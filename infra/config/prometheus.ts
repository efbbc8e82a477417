import { scrapeTargets, type Mode } from '../topology.js'

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
    scrape_configs: [...byJob].map(([job, groups]) => ({ job_name: job, static_configs: groups }))
  }
}
