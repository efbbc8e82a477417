import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
// The bench's and the experiments' way to run a lab process: spawned with its log in a file, SIGKILLed
// if this process ends first, and ready once an URL answers 2xx (or failed once it exited first).
import { freePort, OwnedProcesses, waitUntilReady, type OwnedProcess } from '../../../bench/children.js'
import { scrapedMetricValue } from './metrics.js'
import { uniqueName } from './names.js'
import { registerTeardown } from './teardown.js'

/** A lab service, by the workspace it lives in (services/<name>, or gateway). */
export type LabService = 'catalog' | 'inventory' | 'orders' | 'payments' | 'notifications' | 'provider' | 'gateway'

/** Another service as a test reaches it: over HTTP, in a process of its own, as in the lab. */
export interface ServiceProcess {
  service: LabService
  /** http://127.0.0.1:<port>: the same across stop() and start(). */
  url: string
  port: number
  /** Its stdout and stderr (JSON logs) since the last start. */
  logFile: () => string
  running: () => boolean
  /** Up again on the same port and environment; resolves once /health/ready answers 2xx. */
  start: () => Promise<void>
  /** Its own graceful stop (SIGTERM, as `./lab chaos stop`), SIGKILL after a grace period: connections are refused afterwards. */
  stop: () => Promise<void>
  /** A counter or gauge from its GET /metrics, summed over the series matching `labels`. */
  metric: (name: string, labels?: Record<string, string>) => Promise<number>
}

const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
/** What ./lab up runs for a service (infra/native/components/node-service.ts): its server entry, from source. */
const SERVER_ENTRY = ['--import', 'tsx', 'src/server.ts']
/** What a process needs from ours to run at all; everything the service reads comes from the test. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']
/** serve() drains for at most 10 s after SIGTERM (@lab/platform), then exits on its own. */
const STOP_GRACE_MS = 12_000
const LOG_DIR = join(tmpdir(), 'lab-test-services')

let owned: OwnedProcesses | undefined

/**
 * Runs `service` from its server entry (`node --import tsx src/server.ts` in its workspace), as the
 * native lab does, on a free port of 127.0.0.1 with exactly `env` (plus HOST, PORT and PATH), and
 * resolves once its /health/ready answers. It stops itself when the test ends, or after the file's
 * tests when started inside beforeAllWithTeardown (registerTeardown).
 */
export async function startService (service: LabService, env: Record<string, string>, { readyTimeoutMs = 60_000 } = {}): Promise<ServiceProcess> {
  const cwd = join(REPO_ROOT, service === 'gateway' ? 'gateway' : `services/${service}`)
  if (!existsSync(join(cwd, 'src/server.ts'))) throw new Error(`${service}: no src/server.ts in ${cwd}`)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const inherited = Object.fromEntries(INHERITED.flatMap((key) => process.env[key] === undefined ? [] : [[key, process.env[key] as string]]))
  const fullEnv = { ...inherited, ...env, HOST: '127.0.0.1', PORT: String(port) }
  let child: OwnedProcess | undefined
  let logFile = ''

  const running = (): boolean => child !== undefined && child.exited() === undefined
  const stop = async (): Promise<void> => {
    const current = child
    if (current === undefined) return
    signal(current.pid, 'SIGTERM')
    if (!await exitedWithin(current, STOP_GRACE_MS)) {
      signal(current.pid, 'SIGKILL')
      await exitedWithin(current, 5000)
    }
    child = undefined
  }
  const start = async (): Promise<void> => {
    if (running()) return
    logFile = join(LOG_DIR, `${uniqueName(service)}.log`)
    owned ??= new OwnedProcesses()
    const started = owned.start(`${service}@${port}:${uniqueName('run')}`, process.execPath, SERVER_ENTRY, { cwd, env: fullEnv, logFile })
    child = started
    try {
      await waitUntilReady({ name: `${service} (${url})`, exited: started.exited }, `${url}/health/ready`, readyTimeoutMs)
    } catch (err) {
      await stop()
      throw new Error(`${(err as Error).message}; the end of its log, ${logFile}:\n${logTail(logFile)}`, { cause: err })
    }
  }

  // Registered first: a service that fails to become ready is stopped, one that did is stopped by it.
  registerTeardown(stop)
  await start()
  return { service, url, port, logFile: () => logFile, running, start, stop, metric: async (name, labels) => await scrapedMetricValue(url, name, labels) }
}

function signal (pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

async function exitedWithin (child: OwnedProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (child.exited() === undefined) {
    if (Date.now() > deadline) return false
    await sleep(25)
  }
  return true
}

function logTail (file: string, bytes = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-bytes)
  } catch {
    return '(no log)'
  }
}
