import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { committedCompose, readRepoFile, ROOT } from '../../infra/test/repo.js'

/**
 * Grafana never runs on our machines (AGPL), so its container's contract is checked against Grafana's
 * documentation instead: the Docker image reads provisioning from GF_PATHS_PROVISIONING, by default
 * /etc/grafana/provisioning, in the subfolders datasources/ and dashboards/, each file with apiVersion 1;
 * a file provider loads the dashboards found at its options.path; GF_SERVER_HTTP_PORT is the port it
 * serves; /api/health answers without authentication.
 * @see https://grafana.com/docs/grafana/latest/setup-grafana/configure-docker/#default-paths
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/
 * @see https://grafana.com/docs/grafana/latest/developers/http_api/other/#health-api
 */
const grafana = committedCompose().services.grafana
const mounts = (grafana?.volumes ?? []).map((v) => { const [source = '', target = '', mode = ''] = v.split(':'); return { source, target, mode } })

describe('the Grafana container, against Grafana\'s documented contract', () => {
  it('mounts the provisioning folder where the image reads it, read-only', () => {
    const provisioning = mounts.find((m) => m.target === '/etc/grafana/provisioning')
    expect(provisioning).toMatchObject({ source: './grafana/provisioning', mode: 'ro' })
    expect(grafana?.environment?.GF_PATHS_PROVISIONING, 'the image\'s default is kept').toBeUndefined()
  })

  it('provisions only the documented kinds, each file in apiVersion 1', () => {
    const kinds = readdirSync(join(ROOT, 'grafana/provisioning'))
    expect(kinds.every((k) => ['datasources', 'dashboards', 'plugins', 'alerting'].includes(k))).toBe(true)
    for (const kind of kinds) {
      for (const file of readdirSync(join(ROOT, 'grafana/provisioning', kind))) {
        expect((parse(readRepoFile(`grafana/provisioning/${kind}/${file}`)) as { apiVersion?: number }).apiVersion, `${kind}/${file}`).toBe(1)
      }
    }
  })

  it('points its dashboard provider at the folder the dashboards are mounted into, which holds every dashboard', () => {
    const providers = (parse(readRepoFile('grafana/provisioning/dashboards/lab.yml')) as { providers: Array<{ type: string, options: { path: string } }> }).providers
    const dashboards = mounts.find((m) => m.source === './grafana/dashboards')
    expect(dashboards?.mode).toBe('ro')
    expect(providers.map((p) => [p.type, p.options.path])).toEqual([['file', dashboards?.target]])
    const files = readdirSync(join(ROOT, 'grafana/dashboards')).filter((f) => f.endsWith('.json'))
    expect(files.length).toBeGreaterThan(0)
    for (const source of mounts.map((m) => m.source)) expect(existsSync(join(ROOT, source)), source).toBe(true)
  })

  it('serves on the port it publishes, and its healthcheck asks the health API', () => {
    const port = grafana?.environment?.GF_SERVER_HTTP_PORT
    expect(grafana?.ports).toEqual([`127.0.0.1:${port}:${port}`])
    expect(grafana?.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/api/health`)
  })
})
