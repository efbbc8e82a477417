import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ALERT_RULES_PATH, ALERT_RULES_TESTS_PATH } from '../config/prometheus.js'
import { readRepoFile, readYaml, ROOT, runInstalledTool } from './repo.js'
import { metricNames } from './promql-metrics.js'

interface Rule { alert: string, expr: string, for?: string, labels?: Record<string, string>, annotations?: Record<string, string> }
interface RulesFile { groups: Array<{ name: string, rules: Rule[] }> }
interface RuleTest { alertname: string, exp_alerts: unknown[] }
interface TestsFile { tests: Array<{ alert_rule_test?: RuleTest[] }> }

const rules = readYaml<RulesFile>(ALERT_RULES_PATH).groups.flatMap((g) => g.rules)
const ruleTests = readYaml<TestsFile>(ALERT_RULES_TESTS_PATH).tests.flatMap((t) => t.alert_rule_test ?? [])
const ALERTS_DOC = 'docs/alerts.md'

/** Metric names our own code defines: `name: '…'` (prom-client) or sharedCounter/sharedGauge(registry, '…'). */
function definedMetrics (): Set<string> {
  const names = new Set<string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8')
        for (const m of text.matchAll(/name: '([a-z_:][a-z0-9_:]*)'|shared(?:Counter|Gauge)\(registry, '([a-z_:][a-z0-9_:]*)'/g)) names.add(m[1] ?? m[2] ?? '')
      }
    }
  }
  for (const dir of ['packages', 'services', 'gateway']) walk(join(ROOT, dir))
  return names
}

/** The uids of the committed Grafana dashboards (grafana/dashboards/*.json). */
function dashboardUids (): string[] {
  const dir = join(ROOT, 'grafana/dashboards')
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { uid: string }).uid)
}

describe('alert rules (infra/prometheus/alerts.yml)', () => {
  it('pass `promtool check rules`', () => {
    const { status, output } = runInstalledTool('promtool', ['check', 'rules', ALERT_RULES_PATH])
    expect(status, output).toBe(0)
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`)
  })

  it('pass their `promtool test rules` unit tests', () => {
    const { status, output } = runInstalledTool('promtool', ['test', 'rules', ALERT_RULES_TESTS_PATH])
    expect(status, output).toBe(0)
  })

  it.each(rules.map((r) => [r.alert, r]))('%s has a test that fires it and one that keeps it quiet', (alert) => {
    const tests = ruleTests.filter((t) => t.alertname === alert)
    expect(tests.some((t) => t.exp_alerts.length > 0), `no test fires ${alert}`).toBe(true)
    expect(tests.some((t) => t.exp_alerts.length === 0), `no test keeps ${alert} quiet`).toBe(true)
  })

  it.each(rules.map((r) => [r.alert, r]))('%s has a severity, a summary and a description that points to its doc section', (alert, rule) => {
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity)
    expect(rule.annotations?.summary?.length ?? 0).toBeGreaterThan(10)
    const anchor = `${ALERTS_DOC}#${alert.toLowerCase()}`
    expect(rule.annotations?.description).toContain(anchor)
    expect(readRepoFile(ALERTS_DOC), `${ALERTS_DOC} has no "## ${alert}" section`).toMatch(new RegExp(`^## ${alert}$`, 'm'))
  })

  it.each(rules.map((r) => [r.alert, r]))('%s links a Grafana dashboard the lab ships', (_alert, rule) => {
    const uid = /^http:\/\/127\.0\.0\.1:3000\/d\/([\w-]+)$/.exec(rule.annotations?.dashboard ?? '')?.[1]
    expect(uid, `dashboard annotation: ${rule.annotations?.dashboard}`).toBeDefined()
    expect(dashboardUids()).toContain(uid)
  })

  it('use only metrics the lab exports: our prom-client definitions, the exporters\' and Prometheus\' own `up`', () => {
    const defined = definedMetrics()
    expect(defined.size).toBeGreaterThan(20)
    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) {
        const base = name.replace(/_(bucket|sum|count)$/, '')
        expect(name === 'up' || defined.has(name) || defined.has(base), `${rule.alert} uses ${name}, which nothing defines`).toBe(true)
      }
    }
  })
})
