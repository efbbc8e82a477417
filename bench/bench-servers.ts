import { join } from 'node:path'
import { inheritedEnv, labHome, repoRoot } from '../infra/native/config.js'
import { shortPath } from '../infra/native/paths.js'
import { services } from '../infra/topology.js'
import { freePort, waitUntilReady, type OwnedProcess, type OwnedProcesses } from './children.js'

/**
 * What the bench gateway changes from the lab's gateway: rate limits far above anything autocannon
 * can send (the lab defaults, 100 requests and 50 orders per second per client, would answer 429 to
 * nearly every request), and warnings only in its log. Everything else, the upstreams included, is
 * the topology's.
 */
export const BENCH_GATEWAY_OVERRIDES = { RATE_LIMIT_MAX: '100000000', ORDERS_RATE_LIMIT_MAX: '100000000', LOG_LEVEL: 'warn', INSTANCE_ID: 'bench-gateway' } as const

export interface BenchServer { process: OwnedProcess, port: number, url: string, log: string }

const logFile = (name: string) => join(labHome(), 'bench', `${name}.log`)

/** bench/hello-world.ts on a free port, owned by the bench, answering. */
export async function startHelloWorld (owned: OwnedProcesses): Promise<BenchServer> {
  const port = await freePort()
  const log = logFile('hello-world')
  const child = owned.start('hello-world', process.execPath, ['--import', 'tsx', 'bench/hello-world.ts', String(port)], { cwd: repoRoot, env: inheritedEnv(), logFile: log })
  const url = `http://127.0.0.1:${port}`
  await waitUntilReady(child, `${url}/`)
  return { process: child, port, url, log: shortPath(log) }
}

/**
 * gateway/src/server.ts on a free port with the topology's environment and the overrides above (and
 * `env`'s, for a bench that compares two gateways), ready; `name` names its process and its log.
 */
export async function startBenchGateway (owned: OwnedProcesses, { name = 'bench gateway', env: extra = {} }: { name?: string, env?: Record<string, string> } = {}): Promise<BenchServer & { upstreams: string }> {
  const gateway = services.find((s) => s.name === 'gateway')
  if (gateway === undefined) throw new Error('the topology has no gateway')
  const port = await freePort()
  const log = logFile(name.replaceAll(' ', '-'))
  const env: Record<string, string> = { ...gateway.env('native'), ...BENCH_GATEWAY_OVERRIDES, ...extra, HOST: '127.0.0.1', PORT: String(port) }
  const child = owned.start(name, process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(repoRoot, gateway.workspace),
    env: { ...inheritedEnv(), ...env },
    logFile: log
  })
  const url = `http://127.0.0.1:${port}`
  // Ready means at least one catalog replica passed the gateway's own health checks.
  await waitUntilReady(child, `${url}/health/ready`)
  return { process: child, port, url, log: shortPath(log), upstreams: env.CATALOG_UPSTREAMS ?? '?' }
}
