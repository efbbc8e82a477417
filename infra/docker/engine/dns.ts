import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { exec, tail } from './exec.js'
import { pidAlive } from './host.js'

/**
 * Where the lab's own engine sends the names its embedded DNS does not know: a link-local address on
 * the host's loopback interface, which containers reach through their network's gateway (the host)
 * without NAT, served by nxdomain-resolver.ts. Used only for an engine the lab starts.
 */
export const ENGINE_DNS = '169.254.53.53'
const PID_FILE = '/run/lab-docker-dns.pid'
const RESOLVER = fileURLToPath(new URL('./nxdomain-resolver.ts', import.meta.url))

function resolverPid (): number | undefined {
  try {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim())
    return Number.isInteger(pid) && pid > 1 && pidAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

/** Puts the address on lo (once) and starts the resolver unless it runs; idempotent. */
export async function ensureEngineDns (log: (line: string) => void, logFile: string): Promise<void> {
  if (resolverPid() !== undefined) return
  const shown = await exec('ip', ['-4', 'addr', 'show', 'dev', 'lo'])
  if (shown.code !== 0) throw new Error(`\`ip\` (iproute2) is needed for the lab engine's DNS: ${tail(shown)}`)
  if (!shown.stdout.includes(`${ENGINE_DNS}/32`)) {
    const added = await exec('ip', ['addr', 'add', `${ENGINE_DNS}/32`, 'dev', 'lo'])
    if (added.code !== 0) throw new Error(`could not add ${ENGINE_DNS} to lo for the lab engine's DNS: ${tail(added)}`)
  }
  const out = openSync(logFile, 'a')
  // Node 24 runs this TypeScript file as it is (type stripping): no tsx, a few MB.
  const child = spawn(process.execPath, [RESOLVER, ENGINE_DNS], { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  child.unref()
  writeFileSync(PID_FILE, `${child.pid}\n`)
  await sleep(300)
  if (child.pid === undefined || !pidAlive(child.pid)) throw new Error(`the lab engine's DNS resolver did not start; see ${logFile}`)
  log(`DNS for the engine's containers: a one-label name it does not know answered "no such name" at once, others relayed to the host's resolvers (${ENGINE_DNS}, pid ${child.pid})`)
}

export async function stopEngineDns (): Promise<void> {
  const pid = resolverPid()
  if (pid !== undefined) process.kill(pid, 'SIGTERM')
  rmSync(PID_FILE, { force: true })
  await exec('ip', ['addr', 'del', `${ENGINE_DNS}/32`, 'dev', 'lo'])
}
