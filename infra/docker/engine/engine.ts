import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_SOCKET, dockerHostEnv, enginePaths, type EnginePaths } from './config.js'
import { exec, tail } from './exec.js'
import { aptInstall, commandExists, pidAlive } from './host.js'
import { ENGINE_DNS, ensureEngineDns, stopEngineDns } from './dns.js'

/** Something Docker mode needs and cannot have: the message names it and what to do. */
export class EngineError extends Error {
  override name = 'EngineError'
}

export interface Engine {
  /** The engine's version, as it reports it. */
  version: string
  /** True when the lab started it (./lab docker stop stops it); false for the user's own engine. */
  owned: boolean
  host: string
}

/** The server version when an engine answers at DOCKER_HOST (or the client's default), else undefined. */
export async function engineVersion (): Promise<string | undefined> {
  const result = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 })
  const version = result.stdout.trim()
  return result.code === 0 && version !== '' ? version : undefined
}

/** The PID of the engine the lab started, while it runs. */
export function ownEnginePid (paths: EnginePaths = enginePaths()): number | undefined {
  try {
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim())
    return Number.isInteger(pid) && pid > 1 && pidAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

/** What must hold before the lab can start an engine of its own; each failure names what is missing. */
function checkCanStart (): void {
  const host = dockerHostEnv()
  if (host !== undefined && host !== `unix://${DEFAULT_SOCKET}`) {
    throw new EngineError(`DOCKER_HOST=${host} does not answer: start that engine, or unset DOCKER_HOST so that ./lab docker prepare starts one of its own`)
  }
  if (process.getuid?.() !== 0) {
    throw new EngineError('no Docker engine answers, and starting one needs root: run `sudo ./lab docker prepare`, or start your own Docker engine')
  }
  let cgroups: string[] = []
  try {
    cgroups = readdirSync('/sys/fs/cgroup')
  } catch {}
  if (!cgroups.includes('memory') && !cgroups.includes('cgroup.controllers')) {
    throw new EngineError('no Docker engine answers, and this machine has no cgroups mounted at /sys/fs/cgroup (neither v1 memory nor v2): a container engine cannot run here')
  }
}

/**
 * Starts Debian's dockerd in the background as the lab's own engine: no iptables and no default bridge
 * (user-defined networks, which Compose creates, work without them; published ports go through
 * docker-proxy), its data under LAB_DOCKER_HOME, listening on the default socket. A start that fails
 * leaves nothing running.
 */
async function startEngine (paths: EnginePaths, log: (line: string) => void): Promise<void> {
  if (existsSync(DEFAULT_SOCKET)) {
    if (ownEnginePid(paths) !== undefined) throw new EngineError(`the lab's engine (pid ${ownEnginePid(paths)}) runs but does not answer on ${DEFAULT_SOCKET}; see ${paths.log}, then ./lab docker stop`)
    // A socket left by an engine that is gone answers nothing; one that belongs to a live engine we did not start is not ours to touch.
    const owner = await exec('fuser', [DEFAULT_SOCKET])
    if (owner.stdout.trim() !== '') throw new EngineError(`${DEFAULT_SOCKET} belongs to a running process (pid ${owner.stdout.trim()}) that does not answer as a Docker engine: stop it, or set DOCKER_HOST to an engine that answers`)
    rmSync(DEFAULT_SOCKET, { force: true })
  }
  mkdirSync(paths.dataRoot, { recursive: true })
  mkdirSync(paths.execRoot, { recursive: true })
  await ensureEngineDns(log, paths.log.replace(/dockerd\.log$/, 'dns.log'))
  // Left by an engine that is gone (killed, or the machine restarted): dockerd refuses to start over it.
  if (ownEnginePid(paths) === undefined) rmSync(paths.pidFile, { force: true })
  const out = openSync(paths.log, 'a')
  const child = spawn('dockerd', [
    '--iptables=false', '--ip6tables=false', '--bridge=none',
    '--data-root', paths.dataRoot, '--exec-root', paths.execRoot,
    '--pidfile', paths.pidFile, '-H', `unix://${DEFAULT_SOCKET}`,
    // No route leads out of these containers: names the embedded DNS does not know (a stopped
    // container's) go to a resolver of the lab's that says "no such name" at once, as a Docker with a
    // way out hears from the internet's (dns.ts).
    '--dns', ENGINE_DNS
  ], { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  child.unref()
  let exitCode: number | null | undefined
  const exited = new Promise<void>((resolve) => { child.on('exit', (code) => { exitCode = code; resolve() }) })
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (exitCode !== undefined) break
    if (await engineVersion() !== undefined) {
      log(`engine started (pid ${child.pid}, data in ${paths.dataRoot}, log ${paths.log})`)
      return
    }
    await sleep(500)
  }
  // Nothing half-started stays behind.
  if (child.pid !== undefined && exitCode === undefined) {
    try { process.kill(child.pid, 'SIGTERM') } catch {}
    await Promise.race([exited, sleep(15_000)])
  }
  rmSync(paths.pidFile, { force: true })
  await stopEngineDns()
  const logTail = existsSync(paths.log) ? readFileSync(paths.log, 'utf8').trim().split('\n').slice(-10).join('\n') : ''
  throw new EngineError(`dockerd did not answer within 60 s${exitCode === undefined ? '' : ` (it exited with ${exitCode})`}; the end of ${paths.log}:\n${logTail}`)
}

/**
 * An engine for Docker mode: the user's own when one answers (used as it is), else Debian's docker.io,
 * installed when missing and started as the lab's own. Idempotent: quick when an engine answers.
 */
export async function prepareEngine (log: (line: string) => void, paths: EnginePaths = enginePaths()): Promise<Engine> {
  const host = dockerHostEnv() ?? `unix://${DEFAULT_SOCKET}`
  if (!await commandExists('docker') && process.getuid?.() === 0) await aptInstall(['docker.io'], log)
  if (!await commandExists('docker')) throw new EngineError('the docker client is not installed (Debian: apt-get install docker.io; elsewhere: Docker Engine or Docker Desktop)')
  const running = await engineVersion()
  if (running !== undefined) {
    const owned = ownEnginePid(paths) !== undefined
    if (owned) await ensureEngineDns(log, paths.log.replace(/dockerd\.log$/, 'dns.log'))
    log(`Docker engine ${running} answers at ${host}${owned ? ' (the lab\'s own)' : ': using it as it is'}`)
    return { version: running, owned, host }
  }
  checkCanStart()
  if (!await commandExists('dockerd')) await aptInstall(['docker.io'], log)
  log(`no Docker engine answers at ${host}: starting the lab's own (Debian's docker.io)`)
  await startEngine(paths, log)
  const version = await engineVersion()
  if (version === undefined) throw new EngineError('the engine started but stopped answering')
  return { version, owned: true, host }
}

/** Stops the engine the lab started (never a user's own): its containers stop with it. */
export async function stopEngine (log: (line: string) => void, paths: EnginePaths = enginePaths()): Promise<void> {
  const pid = ownEnginePid(paths)
  if (pid === undefined) {
    log('the lab\'s own Docker engine is not running (a Docker engine of your own is never stopped by the lab)')
    return
  }
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 120 && pidAlive(pid); i++) await sleep(250)
  if (pidAlive(pid)) {
    process.kill(pid, 'SIGKILL')
    log(`dockerd (pid ${pid}) did not stop within 30 s: killed`)
  } else {
    log(`stopped the lab's Docker engine (pid ${pid}); its images stay in ${paths.dataRoot}`)
  }
  rmSync(paths.pidFile, { force: true })
  await stopEngineDns()
}

export { tail }
