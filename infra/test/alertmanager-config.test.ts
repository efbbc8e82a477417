import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { services } from '../topology.js'
import { ALERT_WEBHOOK_PATH } from '../config/alertmanager.js'
import { GENERATED_PATHS } from '../docker/paths.js'
import { nativeAlertmanagerYaml } from '../native/components/alertmanager.js'
import { readYaml, runInstalledTool } from './repo.js'

interface AlertmanagerFile {
  route: { receiver: string }
  receivers: Array<{ name: string, webhook_configs?: Array<{ url: string, send_resolved: boolean }> }>
}

const notifications = services.find((s) => s.name === 'notifications')

describe('Alertmanager configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-alertmanager-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it.each([
    ['docker', readYaml<AlertmanagerFile>(GENERATED_PATHS.alertmanager), `http://notifications:${notifications?.port}${ALERT_WEBHOOK_PATH}`],
    ['native', parse(nativeAlertmanagerYaml()) as AlertmanagerFile, `http://127.0.0.1:${notifications?.port}${ALERT_WEBHOOK_PATH}`]
  ])('routes every alert, firing and resolved, to the notifications service (%s)', (_mode, config, url) => {
    const receiver = config.receivers.find((r) => r.name === config.route.receiver)
    expect(receiver?.webhook_configs).toEqual([{ url, send_resolved: true }])
  })

  const check = (file: string) => {
    const { status, output } = runInstalledTool('amtool', ['check-config', file])
    expect(status, output).toBe(0)
    expect(output).toContain('SUCCESS')
  }

  it('passes `amtool check-config` (docker)', () => { check(GENERATED_PATHS.alertmanager) })

  it('passes `amtool check-config` (native)', () => {
    const file = join(dir, 'alertmanager.yml')
    writeFileSync(file, nativeAlertmanagerYaml())
    check(file)
  })
})
