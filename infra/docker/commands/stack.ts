import { createServer } from 'node:net'
import { infra, services } from '../../topology.js'
import { composeTestOverride } from '../compose-test.js'
import { exec, tail } from '../engine/exec.js'
import { compose, TEST_COMPOSE_FILES } from '../compose-processes.js'

/** Host ports the test stack publishes (docker-compose.yml's and the override's), from the topology. */
export function publishedPorts (): number[] {
  const ports = new Set<number>()
  for (const c of infra) if (c.ports.host !== undefined && c.name !== 'grafana') ports.add(c.ports.host)
  for (const s of services) if (s.hostPort !== undefined) ports.add(s.hostPort)
  for (const service of Object.values(composeTestOverride().services)) {
    for (const mapping of service.ports ?? []) ports.add(Number(mapping.split(':')[1]))
  }
  return [...ports].sort((a, b) => a - b)
}

async function portFree (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

/**
 * Fails with the ports that something else holds (the native lab, most often), naming who. Ports the
 * project's own containers publish already are not in the way: `up` recreates those containers.
 */
export async function assertPortsFree (): Promise<void> {
  const taken: string[] = []
  const ours = await portsPublishedBy(await projectName())
  for (const port of publishedPorts()) {
    if (ours.has(port) || await portFree(port)) continue
    const who = await exec('sh', ['-c', `ss -ltnpH 'sport = :${port}' | sed -n 's/.*users:(("\\([^"]*\\)".*pid=\\([0-9]*\\).*/\\1 (pid \\2)/p' | head -1`])
    taken.push(`${port}${who.stdout.trim() === '' ? '' : ` by ${who.stdout.trim()}`}`)
  }
  if (taken.length > 0) throw new Error(`ports the Docker lab publishes are taken on 127.0.0.1: ${taken.join(', ')}. Is the native lab running? (./lab down)`)
}

/** Host ports the project's running containers publish (`127.0.0.1:8080->8080/tcp` → 8080). */
async function portsPublishedBy (project: string): Promise<Set<number>> {
  const result = await exec('docker', ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Ports}}'])
  return new Set([...result.stdout.matchAll(/:(\d+)->/g)].map((m) => Number(m[1])))
}

/** The Compose project's name, as Compose derives it from the repository folder. */
export async function projectName (): Promise<string> {
  const result = await compose(['config', '--format', 'json'], { files: TEST_COMPOSE_FILES })
  if (result.code !== 0) throw new Error(`docker compose config failed:\n${tail(result)}`)
  return (JSON.parse(result.stdout) as { name: string }).name
}

/** Containers, volumes and networks of the project still there (after down -v: none). */
export async function leftovers (project: string): Promise<string[]> {
  const filter = `label=com.docker.compose.project=${project}`
  const list = async (args: string[]) => (await exec('docker', [...args, '--filter', filter, '--format', '{{.Name}}'])).stdout.trim().split('\n').filter((l) => l !== '')
  return [
    ...(await list(['ps', '-a'])).map((n) => `container ${n}`),
    ...(await list(['volume', 'ls'])).map((n) => `volume ${n}`),
    ...(await list(['network', 'ls'])).map((n) => `network ${n}`)
  ]
}

/** Memory of each running container of the project, as `docker stats` reports it (MiB). */
export async function containerMemory (project: string): Promise<Array<{ name: string, mib: number, limitMib: number }>> {
  const ids = (await exec('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim().split('\n').filter((l) => l !== '')
  if (ids.length === 0) return []
  const result = await exec('docker', ['stats', '--no-stream', '--format', '{{.Name}}\t{{.MemUsage}}', ...ids])
  const mib = (text: string) => {
    const m = /^([\d.]+)\s*([KMG]i?B)$/.exec(text.trim())
    if (m === null) return Number.NaN
    const factor: Record<string, number> = { KiB: 1 / 1024, MiB: 1, GiB: 1024, KB: 1 / 1024, MB: 1, GB: 1024 }
    return Number(m[1]) * (factor[m[2] ?? 'MiB'] ?? Number.NaN)
  }
  return result.stdout.trim().split('\n').map((line) => {
    const [name = '', usage = ''] = line.split('\t')
    const [used = '', limit = ''] = usage.split('/')
    return { name: name.replace(`${project}-`, '').replace(/-1$/, ''), mib: mib(used), limitMib: mib(limit) }
  }).sort((a, b) => a.name.localeCompare(b.name))
}

/** Containers the kernel killed for memory (OOMKilled), by service name. */
export async function oomKilled (project: string): Promise<string[]> {
  const ids = (await exec('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim().split('\n').filter((l) => l !== '')
  if (ids.length === 0) return []
  const result = await exec('docker', ['inspect', '--format', '{{.Name}} {{.State.OOMKilled}}', ...ids])
  return result.stdout.trim().split('\n').filter((l) => l.endsWith(' true')).map((l) => l.split(' ')[0]?.replace(/^\//, '') ?? '')
}
