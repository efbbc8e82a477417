import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { LabPaths } from '../paths.js'
import { runOnce } from '../run-once.js'
import type { Component, StartOptions } from './component.js'
import { provisionDatabases } from './postgres-provision.js'
import { postgresAccount } from './system-user.js'

/** The newest PostgreSQL server installed by Debian's packages (15 on Debian 12). */
function postgresBin (): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  if (versions[0] === undefined) throw new Error(`no PostgreSQL server under ${root} (install the postgresql package)`)
  return join(root, versions[0], 'bin')
}

/** Settings on the command line, so a data dir made by initdb needs no edits. */
export function postgresSettings (port: number, socketDir: string, options: StartOptions): string[] {
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${socketDir}`,
    'max_connections=200',
    // Tests only: no fsync, no waiting for the WAL flush. A crash may lose data, a test run does not care.
    // @see https://www.postgresql.org/docs/15/non-durability.html
    ...(options.fast ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : [])
  ]
  return settings.flatMap((s) => ['-c', s])
}

export function postgresComponent (paths: LabPaths, port: number): Component {
  const dataDir = paths.data('postgres')
  const socketDir = join(paths.runDir, 'postgres')
  const account = postgresAccount()
  const superuser = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 }
  return {
    name: 'postgres',
    kind: 'infra',
    port,
    dependsOn: [],
    marker: 'postgres',
    startTimeoutMs: 30_000,
    // SIGINT is the "fast" shutdown: rolls back open transactions, checkpoints, exits.
    // @see https://www.postgresql.org/docs/15/server-shutdown.html
    stop: { signal: 'SIGINT', toGroup: false, timeoutMs: 20_000 },
    healthy: async () => {
      const client = new pg.Client(superuser)
      client.on('error', () => {})
      try {
        await client.connect()
        await client.query('SELECT 1')
        return true
      } catch {
        return false
      } finally {
        await client.end().catch(() => {})
      }
    },
    prepare: async () => {
      for (const dir of [dataDir, socketDir]) {
        mkdirSync(dir, { recursive: true, mode: 0o700 })
        if (account !== undefined) chownSync(dir, account.uid, account.gid)
      }
      if (existsSync(join(dataDir, 'PG_VERSION'))) return
      await runOnce(join(postgresBin(), 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
        { uid: account?.uid, gid: account?.gid, cwd: dataDir, logFile: paths.log('postgres') })
    },
    spawnSpec: (_paths, options) => ({
      name: 'postgres',
      command: join(postgresBin(), 'postgres'),
      args: ['-D', dataDir, ...postgresSettings(port, socketDir, options)],
      cwd: dataDir,
      uid: account?.uid,
      gid: account?.gid
    }),
    afterHealthy: async () => { await provisionDatabases(superuser) }
  }
}
