import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'

export interface RunOptions {
  cwd?: string
  uid?: number
  gid?: number
  /** stdout and stderr are appended here (the component's log). */
  logFile: string
}

/**
 * Runs a one-off set-up command (initdb, Kafka's StorageTool) to completion without blocking the
 * event loop, so the other components' health checks keep running meanwhile. Rejects on failure.
 */
export async function runOnce (command: string, args: string[], options: RunOptions): Promise<void> {
  mkdirSync(dirname(options.logFile), { recursive: true })
  const fd = openSync(options.logFile, 'a')
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, uid: options.uid, gid: options.gid, stdio: ['ignore', fd, fd] })
      child.on('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)))
      child.on('exit', (code, signal) => {
        if (code === 0) resolve()
        else reject(new Error(`${command} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})`))
      })
    })
  } finally {
    closeSync(fd)
  }
}
