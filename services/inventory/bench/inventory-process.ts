import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { ensureInfra, labHome, stopComponents } from '@lab/infra/native'
import { DB_PASSWORD, DB_USER, address } from '@lab/infra/topology'
import { freePort, OwnedProcesses, waitUntilReady } from '../../../bench/children.js'
import { inheritedEnv } from '../../../infra/native/config.js'

export interface BenchInventory {
  url: string
  /** The bench database, to check what was stored (reservations, rows). */
  db: pg.Pool
  log: string
  env: Record<string, string>
  stop: () => Promise<void>
}

const postgresUrl = (database: string) => `postgres://${DB_USER}:${DB_PASSWORD}@${address('postgres', 'native')}/${database}`

/**
 * The lab's PostgreSQL (started if it is not running, and stopped again at the end), a fresh database
 * of its own, and inventory's server.ts as a child process on a free port: the load generator (this
 * process) and the service never share an event loop.
 */
export async function startBenchInventory (env: Record<string, string>, say: (line: string) => void): Promise<BenchInventory> {
  const { started } = await ensureInfra({ components: ['postgres'], log: say })
  const name = `inventory_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl('postgres') })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  await admin.end()

  const owned = new OwnedProcesses()
  const port = await freePort()
  const log = join(labHome(), 'bench', 'inventory-strategies.log')
  const childEnv = { HOST: '127.0.0.1', PORT: String(port), INSTANCE_ID: 'bench-inventory', DATABASE_URL: postgresUrl(name), LOG_LEVEL: 'warn', ...env }
  const db = new pg.Pool({ connectionString: postgresUrl(name), max: 2 })
  const stop = async () => {
    await owned.stopAll()
    await db.end()
    const client = new pg.Client({ connectionString: postgresUrl('postgres') })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
    await client.end()
    if (started.length > 0) await stopComponents(started, say)
  }
  try {
    const child = owned.start('inventory', process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...inheritedEnv(), ...childEnv },
      logFile: log
    })
    const url = `http://127.0.0.1:${port}`
    await waitUntilReady(child, `${url}/health/ready`)
    return { url, db, log, env: childEnv, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
