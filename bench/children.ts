import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface OwnedProcess {
  name: string
  pid: number
  /** Why it ended, once it has. */
  exited: () => string | undefined
}

/**
 * The processes the bench starts and must not leave behind: each is killed by `stopAll()`, which the
 * bench calls on success, on error and on Ctrl-C, and by a last SIGKILL when this process exits.
 */
export class OwnedProcesses {
  private readonly children = new Map<string, ChildProcess>()

  constructor () {
    process.once('exit', () => { for (const child of this.children.values()) child.kill('SIGKILL') })
  }

  /** Starts `command args` with its output appended to `logFile`. */
  start (name: string, command: string, args: string[], options: { cwd: string, env: Record<string, string>, logFile: string }): OwnedProcess {
    mkdirSync(dirname(options.logFile), { recursive: true })
    const fd = openSync(options.logFile, 'w')
    let reason: string | undefined
    try {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] })
      child.on('error', (err) => { reason ??= err.message })
      child.on('exit', (code, sig) => {
        reason ??= `exited with ${sig ?? `code ${code}`}`
        this.children.delete(name)
      })
      if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`)
      this.children.set(name, child)
      return { name, pid: child.pid, exited: () => reason }
    } finally {
      closeSync(fd)
    }
  }

  /** SIGTERM to each, then SIGKILL to those still running after the grace period. */
  async stopAll (graceMs = 5000): Promise<void> {
    const running = [...this.children.values()]
    const exits = running.map(async (child) => await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => { resolve() })
    }))
    for (const child of running) child.kill('SIGTERM')
    const timer = setTimeout(() => { for (const child of running) child.kill('SIGKILL') }, graceMs)
    await Promise.all(exits)
    clearTimeout(timer)
  }
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a small race until the child binds it). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

/** Polls `url` until it answers 2xx; fails when the process exits first or the time is up. */
export async function waitUntilReady (owned: Pick<OwnedProcess, 'name' | 'exited'>, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reason = owned.exited()
    if (reason !== undefined) throw new Error(`${owned.name} ${reason} before it was ready`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await response.body?.cancel()
      if (response.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${owned.name} was not ready at ${url} within ${timeoutMs / 1000} s`)
    await sleep(100)
  }
}
