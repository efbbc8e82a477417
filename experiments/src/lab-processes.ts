import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BENCH_GATEWAY_OVERRIDES, startBenchGateway } from '../../bench/bench-servers.js'
import { freePort, waitUntilReady, type OwnedProcesses } from '../../bench/children.js'
import { compose, composeProcessFault, containerFinishedAt, containerRunning } from '../../infra/docker/compose-processes.js'
import { exec } from '../../infra/docker/engine/exec.js'
import { labMode } from '../../infra/docker/mode.js'
import { processFault } from '../../infra/native/chaos/process-faults.js'
import { allComponents } from '../../infra/native/components/registry.js'
import { labHome } from '../../infra/native/config.js'
import { processOwner } from '../../infra/native/leases.js'
import { labPaths } from '../../infra/native/paths.js'

/**
 * Process faults for the experiments, on whichever lab LAB_MODE names: the native processes, or the
 * Compose stack's containers (`docker compose stop|kill|start`).
 */

/** The PID of a native component, from <LAB_HOME>/run/<name>.pid (written by ./lab up). */
function componentPid (name: string): number {
  const file = join(labHome(), 'run', `${name}.pid`)
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${file} holds no PID`)
  return pid
}

/** True while the component runs (its process, or its container). */
export async function componentAlive (name: string): Promise<boolean> {
  if (labMode() === 'docker') return await containerRunning(name)
  try {
    process.kill(componentPid(name), 0)
    return true
  } catch {
    return false
  }
}

/**
 * A crash, no graceful shutdown, no draining: SIGKILL to the component's whole process group (./lab up
 * starts each in its own), or to its container. Answers what was killed, for the report, and when it
 * died: natively the moment of the signal; in Docker the engine's own record of the container's end
 * (`docker compose kill` returns up to a second or two later, after the gateway may already have seen it).
 */
export async function killComponent (name: string): Promise<{ what: string, atMs: number }> {
  if (labMode() === 'docker') {
    const before = Date.now()
    await composeProcessFault('kill', name, () => {})
    const finished = await containerFinishedAt(name)
    return { what: `container ${name}`, atMs: finished !== undefined && finished >= before - 1000 ? finished : before }
  }
  const pid = componentPid(name)
  process.kill(-pid, 'SIGKILL')
  return { what: `pid ${pid}`, atMs: Date.now() }
}

/**
 * Starts the component again (what `./lab chaos start <name>` does) and resolves once it is healthy.
 * Natively it is held by this process, not by `./lab up -d`: a test run that started the lab still
 * stops it at its end.
 */
export async function startComponent (name: string, log: (line: string) => void = () => {}): Promise<void> {
  await fault('start', name, log)
}

async function fault (verb: 'start' | 'stop', name: string, log: (line: string) => void): Promise<void> {
  if (labMode() === 'docker') {
    await composeProcessFault(verb, name, log)
    return
  }
  const paths = labPaths()
  await processFault(paths, allComponents(paths), verb, name, log, processOwner())
}

/**
 * Stops a component with its own graceful stop (as `./lab chaos stop <name>`), runs `fn` while it is
 * down, and starts it again whatever happens. Answers when it was stopped and when it was healthy
 * again (ms since the epoch).
 */
export async function withComponentStopped<T> (name: string, fn: () => Promise<T>, log: (line: string) => void): Promise<{ result: T, stoppedMs: number, backMs: number }> {
  await fault('stop', name, log)
  const stoppedMs = Date.now()
  let result: T
  try {
    result = await fn()
  } finally {
    log(`starting ${name} again`)
    await fault('start', name, log)
  }
  return { result, stoppedMs, backMs: Date.now() }
}

/** A gateway started for one experiment, beside the lab's own: its URL from the host, and how to stop it. */
export interface ExperimentGateway { url: string, stop: () => Promise<void> }

/**
 * A gateway replica for an experiment (rate-limit-burst's two), on a free port of 127.0.0.1, with the
 * lab's environment plus `env`. Natively a process (bench/bench-servers.ts), reaching Redis as the
 * lab's gateway does, through Toxiproxy. In Docker mode a one-off container of the compose file's
 * gateway service (`docker compose run --no-deps`), on the stack's network: it reaches Redis as the
 * stack's gateway does, not through two userland proxies from the host (docker-proxy, then Toxiproxy),
 * which made a host-run replica's Redis round trips fail open now and then.
 */
export async function startExperimentGateway (owned: OwnedProcesses, { name, env }: { name: string, env: Record<string, string> }): Promise<ExperimentGateway> {
  if (labMode() !== 'docker') {
    const gateway = await startBenchGateway(owned, { name, env })
    return { url: gateway.url, stop: async () => {} } // OwnedProcesses stops it
  }
  const port = await freePort()
  const container = `lab-experiment-${name.replaceAll(/[^a-z0-9]+/gi, '-').toLowerCase()}-${port}`
  const environment = Object.entries({ ...BENCH_GATEWAY_OVERRIDES, ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  const started = await compose(['run', '-d', '--rm', '--no-deps', '--name', container, '-p', `127.0.0.1:${port}:8080`, ...environment, 'gateway'], { timeoutMs: 120_000 })
  if (started.code !== 0) throw new Error(`docker compose run gateway (${name}) failed: ${started.stderr.trim()}`)
  const stop = async () => { await exec('docker', ['rm', '-f', container], { timeoutMs: 60_000 }) }
  const url = `http://127.0.0.1:${port}`
  try {
    // A container run with --rm is gone when it exits: the deadline tells, with its name.
    await waitUntilReady({ name: `${name} (container ${container})`, exited: () => undefined }, `${url}/health/ready`, 90_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, stop }
}
