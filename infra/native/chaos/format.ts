export interface ChaosStatus {
  healthy: boolean
  proxies: Array<{ name: string, enabled: boolean, toxics: Array<{ type: string, attributes: Record<string, number> }> }>
  instances: Array<{ instance: string, reachable: boolean, answering?: boolean, faults: Record<string, unknown>, switchesOff: string[] }>
}

/** GET /admin/chaos as a few lines: one per proxy, one per instance with something off. */
export function formatStatus (status: ChaosStatus): string {
  const lines = [status.healthy ? 'healthy: nothing broken' : 'BROKEN right now:']
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
  return lines.join('\n')
}
