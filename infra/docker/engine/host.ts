import { existsSync, writeFileSync, rmSync } from 'node:fs'
import { exec, tail } from './exec.js'

export async function commandExists (name: string): Promise<boolean> {
  return (await exec('sh', ['-c', `command -v ${name}`])).code === 0
}

/**
 * Installs Debian packages without starting their system services (policy-rc.d, removed again however
 * the install ends): the lab runs its own daemons.
 */
export async function aptInstall (packages: string[], log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`installing ${packages.join(', ')} needs root (apt-get): run as root, or install them yourself`)
  log(`installing Debian packages: ${packages.join(' ')}`)
  const policy = '/usr/sbin/policy-rc.d'
  const ownPolicy = !existsSync(policy)
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 })
  try {
    const env = { DEBIAN_FRONTEND: 'noninteractive' }
    const args = ['install', '-y', '-q', '--no-install-recommends', ...packages]
    let result = await exec('apt-get', args, { env })
    if (result.code !== 0) {
      await exec('apt-get', ['update', '-q'], { env })
      result = await exec('apt-get', args, { env })
    }
    if (result.code !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${tail(result)}`)
  } finally {
    if (ownPolicy) rmSync(policy, { force: true })
  }
}

/** True while a process with this PID exists (signal 0 checks without sending anything). */
export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
