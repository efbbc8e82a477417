import pg from 'pg'
import { DATABASES, DB_PASSWORD, DB_USER } from '../../topology.js'

/**
 * Creates the lab's role and one database per data-owning service, idempotently. The role may create
 * databases (tests make a fresh random one per file) and read the server's statistics (pg_monitor).
 */
export async function provisionDatabases (superuser: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(superuser)
  await client.connect()
  try {
    const role = pg.escapeIdentifier(DB_USER)
    const password = pg.escapeLiteral(DB_PASSWORD)
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [DB_USER])
    const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER'
    await client.query(`${verb} ROLE ${role} WITH LOGIN CREATEDB PASSWORD ${password}`)
    // The exporter logs in as the lab role: pg_monitor lets it read every backend's statistics.
    await client.query(`GRANT pg_monitor TO ${role}`)
    for (const database of DATABASES) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} OWNER ${role}`)
    }
  } finally {
    await client.end()
  }
}
