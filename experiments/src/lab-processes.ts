import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { labHome, repoRoot } from '../../infra/native/config.js'

/** The PID of a native component, from <LAB_HOME>/run/<name>.pid (written by ./lab up). */
export function componentPid (name: string): number {
  const file = join(labHome(), 'run', `${name}.pid`)
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${file} holds no PID`)
  return pid
}

/**
 * SIGKILL to the component's whole process group (./lab up starts each in its own): a crash, no
 * graceful shutdown, no draining. Returns the PID killed.
 */
export function killComponent (name: string): number {
  const pid = componentPid(name)
  process.kill(-pid, 'SIGKILL')
  return pid
}

/** `./lab up -d`: starts whatever is not running and returns once all is healthy (the lab's own way back). */
export async function labUpDetached (logFile: string): Promise<void> {
  mkdirSync(join(labHome(), 'experiments'), { recursive: true })
  const fd = openSync(logFile, 'a')
  try {
    const child = spawn(join(repoRoot, 'lab'), ['up', '-d'], { cwd: repoRoot, stdio: ['ignore', fd, fd] })
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', resolve)
    })
    if (code !== 0) throw new Error(`./lab up -d exited with ${code} (its output: ${logFile})`)
  } finally {
    closeSync(fd)
  }
}
