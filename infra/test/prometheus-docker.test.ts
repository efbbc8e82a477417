import { describe, expect, it } from 'vitest'
import { services } from '../topology.js'
import { prometheusConfig } from '../config/prometheus.js'
import { GENERATED_PATHS } from '../docker/paths.js'
import { readYaml, runInstalledTool } from './repo.js'

interface ScrapeConfig { job_name: string, static_configs: Array<{ targets: string[], labels: { instance: string } }> }
interface PrometheusFile { scrape_configs: ScrapeConfig[] }

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

  it('is a valid configuration for promtool', () => {
    const { status, output } = runInstalledTool('promtool', ['check', 'config', GENERATED_PATHS.prometheus])
    expect(status, output).toBe(0)
  })
})
