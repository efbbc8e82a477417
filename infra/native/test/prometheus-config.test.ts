import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { nativePrometheusYaml } from '../components/prometheus.js'
import { scrapeTargets } from '../../topology.js'

interface ScrapeConfig { job_name: string, static_configs: Array<{ targets: string[], labels: { instance: string } }> }

describe('native prometheus.yml', () => {
  const config = parse(nativePrometheusYaml()) as { global: Record<string, unknown>, scrape_configs: ScrapeConfig[] }

  it('scrapes every target of the topology on its loopback address, labelled with its instance', () => {
    const scraped = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((group) => group.targets.map((target) => ({ job: job.job_name, instance: group.labels.instance, target }))))
    expect(scraped).toEqual(expect.arrayContaining(scrapeTargets('native')))
    expect(scraped).toHaveLength(scrapeTargets('native').length)
    expect(scraped.every((s) => s.target.startsWith('127.0.0.1:'))).toBe(true)
  })

  it('has one job per name and a scrape interval', () => {
    const names = config.scrape_configs.map((j) => j.job_name)
    expect(new Set(names).size).toBe(names.length)
    expect(config.global.scrape_interval).toMatch(/^\d+s$/)
  })
})
