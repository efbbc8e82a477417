import { describe, expect, it } from 'vitest'
import { allComponents } from '../components/registry.js'
import { processOwner } from '../leases.js'
import { labPaths } from '../paths.js'
import { runningPid } from '../supervisor.js'
import { processFault } from '../chaos/process-faults.js'

/**
 * ./lab chaos kill|start|stop on a real process of the native lab. The redis exporter: a component
 * nothing else depends on, back within a second, so the shared lab barely notices; left as found.
 */
describe('process faults', () => {
  const paths = labPaths()
  const components = allComponents(paths)
  const exporter = components.find((c) => c.name === 'redis-exporter')
  const pid = () => exporter === undefined ? undefined : runningPid(paths, exporter.name, exporter.marker)

  it('kill takes the process down with SIGKILL, start brings it back healthy, stop ends it gracefully', async () => {
    expect(exporter).toBeDefined()
    const wasRunning = pid() !== undefined
    const log: string[] = []
    try {
      await processFault(paths, components, 'start', 'redis-exporter', (l) => log.push(l), processOwner())
      const first = pid()
      expect(first).toBeDefined()
      await processFault(paths, components, 'kill', 'redis-exporter', (l) => log.push(l), processOwner())
      expect(pid()).toBeUndefined()
      expect(await exporter?.healthy()).toBe(false)
      await processFault(paths, components, 'restart', 'redis-exporter', (l) => log.push(l), processOwner())
      expect(pid()).toBeDefined()
      expect(pid()).not.toBe(first)
      expect(await exporter?.healthy()).toBe(true)
      expect(log.join('\n')).toMatch(/killed \(SIGKILL/)
    } finally {
      if (!wasRunning) await processFault(paths, components, 'stop', 'redis-exporter', () => {}, processOwner())
    }
    expect(pid() !== undefined).toBe(wasRunning)
  })

  it('refuses a component the lab does not have, naming the ones it has', async () => {
    await expect(processFault(paths, components, 'kill', 'no-such-thing', () => {})).rejects.toThrow(/no component no-such-thing; one of: postgres/)
  })
})
