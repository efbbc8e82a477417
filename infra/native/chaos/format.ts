import { isLabHealthy, type LabStatus, type ProcessesStatus } from './lab-status.js'

export interface ChaosStatus {
  healthy: boolean
  proxies: Array<{ name: string, enabled: boolean, toxics: Array<{ type: string, attributes: Record<string, number> }> }>
  instances: Array<{ instance: string, reachable: boolean, answering?: boolean, faults: Record<string, unknown>, switchesOff: string[] }>
}

/** GET /admin/chaos as a few lines: one per proxy, one per instance with something off. */
export function formatStatus (status: ChaosStatus): string {
  return [status.healthy ? 'healthy: nothing broken' : 'BROKEN right now:', ...adminLines(status)].join('\n')
}

/** `./lab chaos status`: the processes that are down first, then what the admin API reports (or why it cannot). */
export function formatLabStatus (status: LabStatus): string {
  const { admin } = status
  const down = !status.processes.native && 'error' in admin
  return [
    down ? 'the lab is not running: ./lab up -d starts it' : isLabHealthy(status) ? 'healthy: nothing broken' : 'BROKEN right now:',
    ...processLines(status.processes),
    ...('error' in admin ? [`  admin API unreachable: ${admin.error}`] : adminLines(admin))
  ].join('\n')
}

function processLines (processes: ProcessesStatus): string[] {
  if (!processes.native) return [`  ${'processes'.padEnd(26)} no native lab process runs (./lab up -d starts the lab; Docker: ./lab chaos --docker status)`]
  const { total, down, unhealthy } = processes
  const [what, flag, logs] = processes.docker === true ? ['container', ' --docker', 'docker compose logs'] : ['process', '', './lab logs']
  if (down.length === 0 && unhealthy.length === 0) return [`  ${`${what}es`.replace('containeres', 'containers').padEnd(26)} all ${total} running`]
  return [
    ...down.map((name) => `  ${what} ${name.padEnd(26 - what.length - 1)} DOWN (./lab chaos${flag} start ${name}, or ./lab chaos${flag} reset)`),
    ...unhealthy.map((name) => `  ${what} ${name.padEnd(26 - what.length - 1)} running, NOT HEALTHY (${logs} ${name})`)
  ]
}

function adminLines (status: ChaosStatus): string[] {
  const lines: string[] = []
  for (const p of status.proxies) {
    const toxics = p.toxics.map((t) => `${t.type} ${Object.entries(t.attributes).map(([k, v]) => `${k}=${v}`).join(' ')}`)
    const state = !p.enabled ? 'DOWN' : toxics.length > 0 ? toxics.join(', ') : 'ok'
    lines.push(`  proxy ${p.name.padEnd(20)} ${state}`)
  }
  for (const i of status.instances) {
    const parts = [
      ...(i.reachable ? [] : ['UNREACHABLE (stopped?)']),
      ...(i.answering === false ? ['readiness OFF'] : []),
      ...Object.entries(i.faults).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      ...i.switchesOff.map((s) => `switch ${s} OFF`)
    ]
    lines.push(`  ${i.instance.padEnd(26)} ${parts.length === 0 ? 'ok' : parts.join(', ')}`)
  }
  return lines
}
