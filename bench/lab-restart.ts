import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../infra/native/config.js'
import { processOwner, usedByOthers } from '../infra/native/leases.js'
import { labPaths } from '../infra/native/paths.js'

/** Test runs (not `./lab up`) that hold the lab right now: a restart would pull it from under them. */
export function otherLabUsers (): string[] {
  const users = [...usedByOthers(labPaths(), processOwner()).values()].flat()
  return [...new Set(users)].filter((u) => u !== './lab up')
}

/** Runs `./lab <args>` with our terminal; resolves with its exit code and how long it took. */
export async function runLab (args: string[]): Promise<{ code: number, seconds: number }> {
  const started = process.hrtime.bigint()
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(join(repoRoot, 'lab'), args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] })
    child.once('error', reject)
    child.once('exit', (exitCode, sig) => { resolve(exitCode ?? (sig === null ? 1 : 128)) })
  })
  return { code, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

/**
 * `./lab down` (data kept), then `./lab up -d` timed from the command until it returns, which it does
 * once every component answers its health check: the time a user waits when everything is installed.
 */
export async function restartLab (line: (text: string) => void, phase: (name: string) => void): Promise<{ upSeconds: number, downSeconds: number }> {
  phase('lab down')
  line('./lab down (data is kept)')
  const down = await runLab(['down'])
  if (down.code !== 0) throw new Error(`./lab down failed with exit code ${down.code}`)
  phase('lab up')
  line('./lab up -d (timed until it returns: every component healthy)')
  const up = await runLab(['up', '-d'])
  if (up.code !== 0) throw new Error(`./lab up -d failed with exit code ${up.code} after ${up.seconds.toFixed(1)} s`)
  return { upSeconds: up.seconds, downSeconds: down.seconds }
}
