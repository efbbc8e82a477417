import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { closedPort, createDatabase, eventually, type TestDatabase } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { alertmanagerArgs, alertmanagerConfig, ALERT_WEBHOOK_PATH } from '../config/alertmanager.js'
import { prometheusConfig } from '../config/prometheus.js'
import { buildNotifications, notificationsEnv } from '../../services/notifications/test/build.js'
import { openFeed, type FeedClient } from '../../services/notifications/test/sse-client.js'

/**
 * The whole alert path with real parts: a private Prometheus loading the lab's rules file, a private
 * Alertmanager with the lab's routing, a notifications app on the shared PostgreSQL and Kafka, and a
 * client on its live feed. The failure is real too: a scrape target whose port nobody listens on.
 * Intervals are 1 s (the lab's are 5 s) so the test waits for little more than the rule's `for: 30s`.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-alert-pipeline-'))
const daemons: ChildProcess[] = []
let db: TestDatabase
let notifications: LabApp
let feed: FeedClient
let prometheusUrl: string
let prometheusStartedAt: number

async function ready (url: string, daemon: ChildProcess, output: () => string): Promise<void> {
  await eventually(async () => {
    if (daemon.exitCode !== null) throw new Error(`${daemon.spawnfile} exited: ${output()}`)
    const response = await fetch(`${url}/-/ready`).catch(() => undefined)
    return response?.ok === true ? true : undefined
  }, 20_000, `${url} ready`)
}

function start (command: string, args: string[]): { daemon: ChildProcess, output: () => string } {
  const daemon = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  daemon.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  daemon.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  daemons.push(daemon)
  return { daemon, output: () => output.slice(-2000) }
}

beforeAll(async () => {
  db = await createDatabase('alert_pipeline')
  notifications = (await buildNotifications(notificationsEnv(db))).app
  const notificationsUrl = await notifications.listen({ host: '127.0.0.1', port: 0 })
  feed = await openFeed(`${notificationsUrl}/feed`)

  // The lab's routing, pointed at this notifications app, with a shorter first wait.
  const [alertmanagerPort, prometheusPort, deadPort] = [await closedPort(), await closedPort(), await closedPort()]
  const lab = alertmanagerConfig('native') as { route: Record<string, unknown>, receivers: Array<{ webhook_configs: Array<{ url: string }> }> }
  const receivers = lab.receivers.map((r) => ({ ...r, webhook_configs: r.webhook_configs.map((w) => ({ ...w, url: `${notificationsUrl}${ALERT_WEBHOOK_PATH}` })) }))
  writeFileSync(join(dir, 'alertmanager.yml'), stringify({ ...lab, route: { ...lab.route, group_wait: '1s' }, receivers }))
  const am = start('prometheus-alertmanager', alertmanagerArgs({ configFile: join(dir, 'alertmanager.yml'), storage: join(dir, 'am') }, `127.0.0.1:${alertmanagerPort}`))
  await ready(`http://127.0.0.1:${alertmanagerPort}`, am.daemon, am.output)

  // The lab's rules file and alerting, one scrape target that is down.
  const { rule_files: ruleFiles } = prometheusConfig('native')
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: [{ job_name: 'provider', static_configs: [{ targets: [`127.0.0.1:${deadPort}`], labels: { instance: 'provider' } }] }]
  }))
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`
  prometheusStartedAt = Date.now()
  const prometheus = start('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`])
  await ready(prometheusUrl, prometheus.daemon, prometheus.output)
})

afterAll(async () => {
  feed?.close()
  for (const daemon of daemons) daemon.kill('SIGTERM')
  await Promise.all(daemons.map(async (d) => { if (d.exitCode === null) await new Promise((resolve) => d.once('exit', resolve)) }))
  await notifications?.close()
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
})

describe('an alert travels Prometheus → Alertmanager → notifications → the live feed', () => {
  it('loads every rule of the lab, and evaluates each without an error', async () => {
    type Rules = { data: { groups: Array<{ rules: Array<{ name: string, health: string, lastError?: string }> }> } }
    const rules = async () => ((await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as Rules).data.groups.flatMap((g) => g.rules)
    // Health is `unknown` until a rule's first evaluation (every second here).
    const evaluated = await eventually(async () => { const all = await rules(); return all.every((r) => r.health !== 'unknown') ? all : undefined }, 10_000, 'every rule evaluated')
    expect(evaluated.length).toBeGreaterThanOrEqual(10)
    expect(evaluated.filter((r) => r.health !== 'ok')).toEqual([])
  })

  it('shows ScrapeTargetDown on the feed once a target has been down for 30 s', async () => {
    const isAlert = (data: string) => (JSON.parse(data) as { type: string }).type === 'alert.firing'
    const alert = await eventually(async () => feed.events.find((e) => isAlert(e.data)), 80_000, 'a firing alert on the feed')
    const notification = JSON.parse(alert.data) as { key: string, channel: string, message: string, payload: { labels: Record<string, string> } }
    expect(notification).toMatchObject({ key: 'ScrapeTargetDown', channel: 'ops', payload: { labels: { instance: 'provider', severity: 'critical' } } })
    expect(notification.message).toBe('FIRING critical ScrapeTargetDown: provider (provider) does not answer Prometheus')
    // Not before the rule's `for: 30s` ran out: pending first, firing only then.
    expect(Date.now() - prometheusStartedAt).toBeGreaterThanOrEqual(30_000)
  }, 90_000)
})
