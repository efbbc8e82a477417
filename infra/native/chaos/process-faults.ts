import { setTimeout as sleep } from 'node:timers/promises'
import { withDependencies } from '../components/registry.js'
import type { Component } from '../components/component.js'
import { DETACHED_UP, type Owner } from '../leases.js'
import { ensureComponents } from '../orchestrator.js'
import type { LabPaths } from '../paths.js'
import { groupMembers, processTree, signal } from '../processes.js'
import { runningPid, stopDaemon } from '../supervisor.js'

export type ProcessVerb = 'stop' | 'kill' | 'start' | 'restart'

/**
 * Process faults on the native lab, done here rather than through the gateway (which may be the one
 * stopped): stop = the component's own graceful signal (Kafka's controlled shutdown, Postgres' fast
 * shutdown), kill = SIGKILL to its whole process tree (a crash: no shutdown hooks, Redis loses what it
 * held, Kafka recovers its log at the next start), start = ./lab up -d for it (and what it depends on),
 * restart = stop then start. Docker: `docker compose stop|kill|start <service>`.
 *
 * `owner` holds what start brings up: by default `./lab up -d`'s lease (the CLI: it stays up until
 * ./lab down). A test or an experiment passes its own process (processOwner()), so a component it
 * restarts is stopped again at the end of the test run that started the lab, like the rest of it.
 */
export async function processFault (paths: LabPaths, components: Component[], verb: ProcessVerb, name: string, log: (line: string) => void, owner: Owner = DETACHED_UP): Promise<void> {
  const component = components.find((c) => c.name === name)
  if (component === undefined) throw new Error(`no component ${name}; one of: ${components.map((c) => c.name).join(', ')}`)
  if (verb === 'stop' || verb === 'restart') await stop(paths, component, log)
  if (verb === 'kill') await kill(paths, component, log)
  if (verb === 'start' || verb === 'restart') {
    const started = performance.now()
    await ensureComponents(paths, withDependencies(components, [name]), { fast: false, log, owner })
    log(`${name}: healthy ${((performance.now() - started) / 1000).toFixed(1)} s after the start`)
  }
}

async function stop (paths: LabPaths, component: Component, log: (line: string) => void): Promise<void> {
  const pid = runningPid(paths, component.name, component.marker)
  if (pid === undefined) {
    log(`${component.name}: not running`)
    return
  }
  const started = performance.now()
  const outcome = await stopDaemon(paths, component.name, pid, component.stop)
  log(`${component.name}: ${outcome} (pid ${pid}) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

async function kill (paths: LabPaths, component: Component, log: (line: string) => void): Promise<void> {
  const pid = runningPid(paths, component.name, component.marker)
  if (pid === undefined) {
    log(`${component.name}: not running`)
    return
  }
  // The whole tree: children that left the group (Postgres' backends) die with it, as in a crash.
  for (const member of processTree(pid)) signal(member, 'SIGKILL')
  signal(-pid, 'SIGKILL')
  for (let i = 0; i < 100 && groupMembers(pid).length > 0; i++) await sleep(50)
  // The PID file stays, as after a real crash: ./lab status shows it down, ./lab up -d starts it again.
  log(`${component.name}: killed (SIGKILL to pid ${pid} and its children); bring it back with ./lab chaos start ${component.name}`)
}
