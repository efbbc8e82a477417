import { describe, expect, it } from 'vitest'
import { bootPostgres, createServiceApp, type BootConnection } from '../src/index.js'

// No database is reached: the pool connects on its first query, and these tests never query.
const config = { INSTANCE_ID: 'boot-test-1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PG_POOL_MAX: 3, LOG_LEVEL: 'silent', LOG_PRETTY: false }

async function appWithCloseProbe () {
  const { app } = await createServiceApp('boot-test', config)
  const probe = { closed: false }
  app.addHook('onClose', async () => { probe.closed = true })
  return { app, probe }
}

describe('bootPostgres', () => {
  it('prepares on a boot session of its own, then registers the pool as app.pg', async () => {
    const { app, probe } = await appWithCloseProbe()
    const seen: BootConnection[] = []
    await bootPostgres(app, config, async (connection) => { seen.push(connection) })
    expect(seen).toEqual([{ connectionString: config.DATABASE_URL, applicationName: 'boot-test-1-boot', log: app.log }])
    await app.ready()
    expect(app.pg.options).toMatchObject({ application_name: 'boot-test-1', max: 3 })
    expect(probe.closed).toBe(false)
    await app.close()
  })

  it('closes the app and passes the boot error on when preparing fails', async () => {
    const { app, probe } = await appWithCloseProbe()
    const failure = new Error('migration 001_things.sql failed')
    await expect(bootPostgres(app, config, async () => { throw failure })).rejects.toBe(failure)
    expect(probe.closed).toBe(true)
    expect(app.hasDecorator('pg')).toBe(false)
  })
})
