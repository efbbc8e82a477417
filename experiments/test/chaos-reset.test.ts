import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createAdminClient } from '../../infra/native/chaos/admin-client.js'
import { formatLabStatus } from '../../infra/native/chaos/format.js'
import { isLabHealthy, labStatus, type LabStatus } from '../../infra/native/chaos/lab-status.js'
import { processFault } from '../../infra/native/chaos/process-faults.js'
import { resetLab } from '../../infra/native/chaos/reset.js'
import { allComponents } from '../../infra/native/components/registry.js'
import { processOwner } from '../../infra/native/leases.js'
import { labPaths } from '../../infra/native/paths.js'
import { runningPid } from '../../infra/native/supervisor.js'
import { withExperimentLock } from '../src/index.js'
import { useLiveLab } from './live.js'

useLiveLab()

const log = (line: string) => { process.stderr.write(`[chaos-reset] ${line}\n`) }

/**
 * ./lab chaos status and reset cover the native lab's processes too, on the shared lab: the redis
 * exporter (nothing depends on it, back within a second) is killed and reset brings it back. Under the
 * experiments' lock, so no experiment is breaking the lab meanwhile; left healthy, as found.
 */
describe('./lab chaos status and reset on the native lab', () => {
  const paths = labPaths()
  const components = allComponents(paths)
  const admin = createAdminClient()
  const exporter = components.find((c) => c.name === 'redis-exporter')
  const pid = () => exporter === undefined ? undefined : runningPid(paths, exporter.name, exporter.marker)

  async function healthyLab (timeoutMs: number): Promise<LabStatus> {
    const deadline = Date.now() + timeoutMs
    let status = await labStatus(paths, components, admin)
    while (!isLabHealthy(status) && Date.now() < deadline) {
      await sleep(2000)
      status = await labStatus(paths, components, admin)
    }
    return status
  }

  it('lists a killed component as down, and reset starts it again healthy and leaves a healthy lab', async () => {
    expect(exporter).toBeDefined()
    await withExperimentLock(async () => {
      const before = await healthyLab(60_000)
      expect(formatLabStatus(before)).toMatch(/^healthy: nothing broken\n {2}processes +all \d+ running/)

      await processFault(paths, components, 'kill', 'redis-exporter', log, processOwner())
      try {
        const broken = await labStatus(paths, components, admin)
        expect(broken.processes).toMatchObject({ native: true, down: ['redis-exporter'] })
        expect(isLabHealthy(broken)).toBe(false)
        expect(formatLabStatus(broken)).toMatch(/^BROKEN right now:\n {2}process redis-exporter +DOWN/)

        const reset = await resetLab(paths, components, admin, log, processOwner())
        expect(reset.startError).toBeUndefined()
        expect(reset.started).toEqual(['redis-exporter'])
        expect(pid()).toBeDefined()
        expect(await exporter?.healthy()).toBe(true)
        expect(reset.status.processes).toMatchObject({ native: true, down: [], unhealthy: [] })
        expect(isLabHealthy(reset.status)).toBe(true)
        expect(isLabHealthy(await labStatus(paths, components, admin))).toBe(true)
      } finally {
        if (pid() === undefined) await processFault(paths, components, 'start', 'redis-exporter', log, processOwner())
      }
    }, (holder) => { log(`waiting for the experiment of process ${holder} to end`) })
  }, 20 * 60_000)

  it('still lists the processes when the admin API does not answer, and says so', async () => {
    const status = await labStatus(paths, components, createAdminClient({ LAB_ADMIN_URL: 'http://127.0.0.1:9' }))
    expect(status.processes.native).toBe(true)
    expect(status.admin).toEqual({ error: expect.stringMatching(/the gateway does not answer at http:\/\/127\.0\.0\.1:9/) })
    expect(formatLabStatus(status)).toMatch(/^BROKEN right now:\n {2}processes +all \d+ running\n {2}admin API unreachable: /)
  })
})
