import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { AGPL_PROFILE, NOT_RUN_HERE } from '../docker/compose-test.js'
import { OWN_ENGINE_OVERRIDE, syncOwnEngineOverride } from '../docker/own-engine-override.js'
import { services } from '../topology.js'

const roots: string[] = []
afterEach(() => { for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true }) })
function root (): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-override-'))
  roots.push(dir)
  return dir
}

describe('docker-compose.override.yml: a plain `docker compose up --build` on the lab\'s own engine', () => {
  it('builds every lab image on the host network and puts Grafana and k6 under a profile nobody asks for', () => {
    const dir = root()
    expect(syncOwnEngineOverride({ owned: true }, dir)).toBe('written')
    const override = parse(readFileSync(join(dir, OWN_ENGINE_OVERRIDE), 'utf8')) as { services: Record<string, { build?: { network: string }, profiles?: string[] }> }
    for (const service of services) expect(override.services[service.name]?.build).toEqual({ network: 'host' })
    for (const name of NOT_RUN_HERE) expect(override.services[name]?.profiles).toEqual([AGPL_PROFILE])
    // Nothing else: the user's compose file keeps its ports, images and environment.
    expect(Object.keys(override.services).sort()).toEqual([...services.map((s) => s.name), ...NOT_RUN_HERE].sort())
    expect(syncOwnEngineOverride({ owned: true }, dir)).toBe('unchanged')
  })

  it('is removed when a Docker of the user\'s answers, and a file of the user\'s own is never touched', () => {
    const dir = root()
    expect(syncOwnEngineOverride({ owned: false }, dir)).toBe('none')
    syncOwnEngineOverride({ owned: true }, dir)
    expect(syncOwnEngineOverride({ owned: false }, dir)).toBe('removed')
    expect(existsSync(join(dir, OWN_ENGINE_OVERRIDE))).toBe(false)
    const yours = 'services:\n  gateway:\n    environment:\n      LOG_LEVEL: debug\n'
    writeFileSync(join(dir, OWN_ENGINE_OVERRIDE), yours)
    expect(syncOwnEngineOverride({ owned: true }, dir)).toBe('kept-yours')
    expect(syncOwnEngineOverride({ owned: false }, dir)).toBe('kept-yours')
    expect(readFileSync(join(dir, OWN_ENGINE_OVERRIDE), 'utf8')).toBe(yours)
  })
})
