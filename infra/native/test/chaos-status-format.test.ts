import { describe, expect, it } from 'vitest'
import { formatLabStatus, type ChaosStatus } from '../chaos/format.js'
import { isLabHealthy, type LabStatus } from '../chaos/lab-status.js'

const healthyAdmin: ChaosStatus = {
  healthy: true,
  proxies: [{ name: 'redis', enabled: true, toxics: [] }],
  instances: [{ instance: 'gateway', reachable: true, faults: {}, switchesOff: [] }]
}

describe('./lab chaos status output', () => {
  it('lists the processes that are down before what the admin API reports, and calls the lab broken', () => {
    const status: LabStatus = { processes: { native: true, total: 16, down: ['redis-exporter'], unhealthy: ['kafka'] }, admin: healthyAdmin }
    expect(isLabHealthy(status)).toBe(false)
    expect(formatLabStatus(status).split('\n')).toEqual([
      'BROKEN right now:',
      '  process redis-exporter     DOWN (./lab chaos start redis-exporter, or ./lab chaos reset)',
      '  process kafka              running, NOT HEALTHY (./lab logs kafka)',
      '  proxy redis                ok',
      '  gateway                    ok'
    ])
  })

  it('is healthy only when every process runs and the admin API reports nothing broken', () => {
    const status: LabStatus = { processes: { native: true, total: 16, down: [], unhealthy: [] }, admin: healthyAdmin }
    expect(isLabHealthy(status)).toBe(true)
    expect(formatLabStatus(status)).toMatch(/^healthy: nothing broken\n {2}processes +all 16 running\n/)
  })

  it('still shows the processes when the gateway does not answer, and says the lab is not running when nothing runs', () => {
    const gatewayDown: LabStatus = { processes: { native: true, total: 16, down: ['gateway'], unhealthy: [] }, admin: { error: 'the gateway does not answer' } }
    expect(isLabHealthy(gatewayDown)).toBe(false)
    expect(formatLabStatus(gatewayDown)).toMatch(/^BROKEN right now:\n {2}process gateway +DOWN .*\n {2}admin API unreachable: the gateway does not answer$/)
    const nothing: LabStatus = { processes: { native: false }, admin: { error: 'the gateway does not answer' } }
    expect(formatLabStatus(nothing)).toMatch(/^the lab is not running: \.\/lab up -d starts it\n {2}processes +no native lab process runs/)
  })
})
