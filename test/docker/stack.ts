import pg from 'pg'
import { compose } from '../../infra/docker/compose-processes.js'
import { address, DB_PASSWORD, DB_USER } from '../../infra/topology.js'

/** The Compose stack as the Docker-mode tests reach it: its published ports (docker-compose.test.yml). */
export const stack = {
  gateway: `http://${address('gateway', 'native')}`,
  prometheus: `http://${address('prometheus', 'native')}`,
  alertmanager: `http://${address('alertmanager', 'native')}`,
  /** PostgreSQL itself, for what the test must inspect in a service's database. */
  database: (name: string) => new pg.Pool({ connectionString: `postgres://${DB_USER}:${DB_PASSWORD}@${address('postgres', 'native')}/${name}`, max: 2 })
}

export async function json<T> (res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`)
  return await res.json() as T
}

/** Every JSON line a service wrote to its container's output since `since` (docker compose logs). */
export async function composeLogs (service: string, since: Date): Promise<Array<Record<string, unknown>>> {
  const result = await compose(['logs', '--no-color', '--no-log-prefix', '--since', since.toISOString(), service])
  if (result.code !== 0) throw new Error(`docker compose logs ${service}: ${result.stderr}`)
  return result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
}

export async function until<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
