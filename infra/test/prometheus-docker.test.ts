import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { services } from '../topology.js'
import { ALERT_RULES_PATH, prometheusConfig } from '../config/prometheus.js'
import { GENERATED_PATHS } from '../docker/paths.js'
import { nativePrometheusYaml } from '../native/components/prometheus.js'
import { readYaml, ROOT, runInstalledTool } from './repo.js'

interface ScrapeConfig { job_name: string, static_configs: Array<{ targets: string[], labels: { instance: string } }> }
interface PrometheusFile {
  scrape_configs: ScrapeConfig[]
  rule_files: string[]
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }
}

/** `job/instance → target` for every static target. */
function targets (config: PrometheusFile): Map<string, string> {
  const byInstance = new Map<string, string>()
  for (const job of config.scrape_configs) {
    for (const group of job.static_configs) {
      for (const target of group.targets) byInstance.set(`${job.job_name}/${group.labels.instance}`, target)
    }
  }
  return byInstance
}

describe('Prometheus configuration', () => {
  const docker = readYaml<PrometheusFile>(GENERATED_PATHS.prometheus)

  it('scrapes every Node service by its Compose name and container port in Docker', () => {
    const scraped = targets(docker)
    for (const service of services) {
      const job = service.workspace.split('/').pop() ?? service.name
      expect(scraped.get(`${job}/${service.name}`), service.name).toBe(`${service.name}:${service.port}`)
    }
  })

  it('scrapes the same jobs and instances natively and in Docker, only at other addresses', () => {
    const native = targets(prometheusConfig('native') as unknown as PrometheusFile)
    const inDocker = targets(docker)
    expect([...inDocker.keys()].sort()).toEqual([...native.keys()].sort())
    for (const [instance, address] of native) expect(address, instance).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('scrapes the PostgreSQL and Redis exporters and Alertmanager under their own job names', () => {
    const scraped = targets(docker)
    expect(scraped.get('postgres-exporter/postgres-exporter')).toBe('postgres-exporter:9187')
    expect(scraped.get('redis-exporter/redis-exporter')).toBe('redis-exporter:9121')
    expect(scraped.get('alertmanager/alertmanager')).toBe('alertmanager:9093')
  })

  it('loads the one rules file and sends alerts to Alertmanager on :9093, in both modes', () => {
    // Docker: relative to the config, which lives beside the rules (in the repo, and in /etc/prometheus).
    expect(docker.rule_files).toEqual(['alerts.yml'])
    expect(join(dirname(GENERATED_PATHS.prometheus), 'alerts.yml')).toBe(ALERT_RULES_PATH)
    expect(docker.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093'])
    const native = parse(nativePrometheusYaml()) as PrometheusFile
    expect(native.rule_files).toEqual([join(ROOT, ALERT_RULES_PATH)])
    expect(native.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:9093'])
  })

  it('is a valid configuration for promtool, its rules included', () => {
    const { status, output } = runInstalledTool('promtool', ['check', 'config', GENERATED_PATHS.prometheus])
    expect(status, output).toBe(0)
    expect(output).toContain('SUCCESS: 1 rule files found')
  })

  describe('natively', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-prometheus-'))
    afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

    it('is a valid configuration for promtool too, its rules included', () => {
      const file = join(dir, 'prometheus.yml')
      writeFileSync(file, nativePrometheusYaml())
      const { status, output } = runInstalledTool('promtool', ['check', 'config', file])
      expect(status, output).toBe(0)
      expect(output).toContain('SUCCESS: 1 rule files found')
    })
  })
})
