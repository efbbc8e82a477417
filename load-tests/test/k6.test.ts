import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { k6CustomMetrics, k6Options } from '../lib/k6-options.js'
import { composeFile } from '../../infra/docker/compose.js'
import { K6_MOUNT, LOAD_PROFILE } from '../../infra/docker/k6.js'
import { loadScenario, scenarioNames } from '../src/scenarios.js'

const ROOT = resolve(import.meta.dirname, '../..')
const K6_DIR = join(ROOT, 'load-tests/k6')

describe('k6 scripts (type-checked, never run: k6 is AGPL)', () => {
  it('type-check against @types/k6 with the shared modules they import', () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc')
    const result = spawnSync(tsc, ['-p', join(K6_DIR, 'tsconfig.json'), '--noEmit'], { cwd: ROOT, encoding: 'utf8' })
    expect(`${result.stdout}${result.stderr}`).toBe('')
    expect(result.status).toBe(0)
  }, 60_000)

  it('exist for every scenario, each running the scenario of its own name, and for no other', () => {
    const scripts = readdirSync(K6_DIR).filter((f) => f.endsWith('.js') && f !== 'scenario-script.js').map((f) => f.slice(0, -3)).sort()
    expect(scripts).toEqual(scenarioNames())
    for (const name of scripts) {
      const text = readFileSync(join(K6_DIR, `${name}.js`), 'utf8')
      expect(text, name).toContain(`scenarioScript('${name}')`)
      expect(text, name).toMatch(/export const options = script\.options/)
      expect(text, name).toMatch(/export default script\.iteration/)
    }
  })
})

describe('k6 modules', () => {
  it('import only k6 itself and files inside the folders mounted into the k6 container (k6/, lib/)', () => {
    const lib = join(ROOT, 'load-tests/lib')
    const files = [...readdirSync(K6_DIR).map((f) => join(K6_DIR, f)), ...readdirSync(lib).map((f) => join(lib, f))].filter((f) => f.endsWith('.js'))
    for (const file of files) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1] ?? '')
      for (const specifier of specifiers) {
        if (specifier === 'k6' || specifier.startsWith('k6/')) continue
        const target = resolve(dirname(file), specifier)
        expect([K6_DIR, lib].some((dir) => target.startsWith(`${dir}/`)) && existsSync(target), `${file}: ${specifier}`).toBe(true)
      }
    }
  })
})

describe('k6 options derived from the scenario data', () => {
  it('run each scenario with an open-model executor at its rate, for its duration, with its VUs', () => {
    for (const name of scenarioNames()) {
      const scenario = loadScenario(name)
      const options = k6Options(scenario)
      expect(Object.keys(options.scenarios), name).toEqual([name])
      expect(options.scenarios[name], name).toMatchObject({
        executor: 'constant-arrival-rate',
        rate: scenario.rate,
        timeUnit: '1s',
        duration: `${scenario.durationSeconds}s`,
        preAllocatedVUs: scenario.vus,
        maxVUs: scenario.vus
      })
    }
  })

  it('turn every threshold into k6 threshold expressions on the matching metric', () => {
    expect(k6Options(loadScenario('browse')).thresholds).toEqual({ http_req_duration: ['p(50)<=25', 'p(99)<=250'], http_req_failed: ['rate<=0.01'] })
    expect(k6Options(loadScenario('burst')).thresholds).toEqual({
      status_429: ['rate>=0.6'],
      status_200_count: ['rate>=80', 'rate<=120'],
      http_req_duration: ['p(99)<=250'],
      http_req_failed: ['rate<=0.01']
    })
    expect(k6Options(loadScenario('flash-sale')).thresholds).toMatchObject({ status_201_count: ['count>=50', 'count<=50'] })
    expect(k6Options(loadScenario('checkout')).thresholds).toEqual({
      'http_req_duration{name:place}': ['p(99)<=500'],
      time_to_final: ['p(99)<=2000'],
      unsettled: ['rate<=0.01'],
      http_req_failed: ['rate<=0.01']
    })
    // One expression per bound of every threshold: none is lost on the way.
    for (const name of scenarioNames()) {
      const scenario = loadScenario(name)
      const expressions = Object.values(k6Options(scenario).thresholds).flat().length
      const bounds = scenario.thresholds.reduce((n, t) => n + (t.min === undefined ? 0 : 1) + (t.max === undefined ? 0 : 1), 0)
      expect(expressions, name).toBe(bounds)
    }
  })

  it('list the custom metrics the script must create for those thresholds', () => {
    expect(k6CustomMetrics(loadScenario('burst'))).toEqual([
      { name: 'status_429', kind: 'rate', status: 429 },
      { name: 'status_200_count', kind: 'counter', status: 200 }
    ])
    expect(k6CustomMetrics(loadScenario('checkout'))).toEqual([{ name: 'time_to_final', kind: 'trend' }, { name: 'unsettled', kind: 'rate' }])
    expect(k6CustomMetrics(loadScenario('browse'))).toEqual([])
  })
})

describe('the k6 service in docker-compose.yml (Docker users only)', () => {
  const k6 = composeFile().services.k6

  it('runs under the load profile only, once, against the gateway after it is healthy', () => {
    expect(k6?.profiles).toEqual([LOAD_PROFILE])
    expect(k6?.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/)
    expect(k6?.restart).toBe('no')
    expect(k6?.depends_on).toEqual({ gateway: { condition: 'service_healthy' } })
    expect(k6?.environment).toMatchObject({ BASE_URL: 'http://gateway:8080', INVENTORY_URL: 'http://inventory:7201', SCENARIOS_DIR: `${K6_MOUNT}/scenarios` })
  })

  it('mounts the scripts, their shared modules and the scenario data, all of which exist', () => {
    const mounts = k6?.volumes ?? []
    expect(mounts.map((m) => m.split(':')[1])).toEqual([`${K6_MOUNT}/k6`, `${K6_MOUNT}/lib`, `${K6_MOUNT}/scenarios`])
    for (const mount of mounts) expect(existsSync(join(ROOT, mount.split(':')[0] ?? '')), mount).toBe(true)
  })
})
