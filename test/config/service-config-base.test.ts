import { describe, expect, it } from 'vitest'
import { ConfigError } from '@lab/platform'
import { loadGatewayConfig } from '../../gateway/src/config.js'
import { loadCatalogConfig } from '../../services/catalog/src/config.js'
import { loadInventoryConfig } from '../../services/inventory/src/config.js'
import { loadNotificationsConfig } from '../../services/notifications/src/config.js'
import { loadOrdersConfig } from '../../services/orders/src/config.js'
import { loadPaymentsConfig } from '../../services/payments/src/config.js'
import { loadProviderConfig } from '../../services/provider/src/config.js'

type Env = Record<string, string | undefined>

interface Service {
  name: string
  load: (env: Env) => Readonly<Record<string, unknown>>
  port: number
  /** The variables it cannot boot without, valid. */
  required: Env
  /** Its database's fewest pool connections, when it has a database (postgresConfig). */
  minPoolSize?: number
}

const SECRET = 'a-long-enough-test-secret'
const SERVICES: Service[] = [
  { name: 'catalog', load: loadCatalogConfig, port: 7101, required: { DATABASE_URL: 'postgres://db/catalog', REDIS_URL: 'redis://r:6379' }, minPoolSize: 1 },
  { name: 'inventory', load: loadInventoryConfig, port: 7201, required: { DATABASE_URL: 'postgres://db/inventory' }, minPoolSize: 1 },
  { name: 'orders', load: loadOrdersConfig, port: 7301, required: { DATABASE_URL: 'postgres://db/orders', KAFKA_BROKERS: 'k:9092', INVENTORY_URL: 'http://i:7201' }, minPoolSize: 1 },
  { name: 'payments', load: loadPaymentsConfig, port: 7401, required: { DATABASE_URL: 'postgres://db/payments', KAFKA_BROKERS: 'k:9092', PROVIDER_URL: 'http://p:7501', PROVIDER_WEBHOOK_SECRET: SECRET }, minPoolSize: 2 },
  { name: 'provider', load: loadProviderConfig, port: 7501, required: { PROVIDER_WEBHOOK_SECRET: SECRET } },
  { name: 'notifications', load: loadNotificationsConfig, port: 7601, required: { DATABASE_URL: 'postgres://db/notifications', KAFKA_BROKERS: 'k:9092' }, minPoolSize: 1 },
  { name: 'gateway', load: loadGatewayConfig, port: 8080, required: { CATALOG_UPSTREAMS: 'http://c:7101' } }
]

/** A mistake in a shared variable, and the one message every service answers it with. */
const MISTAKES: Array<[Env, string]> = [
  [{ PORT: 'eighty' }, 'PORT: Expected integer (got "eighty")'],
  [{ PORT: '70000' }, 'PORT: Expected integer to be less or equal to 65535 (got "70000")'],
  [{ PORT: '-1' }, 'PORT: Expected integer to be greater or equal to 0 (got "-1")'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: Expected union value (got "loud")'],
  [{ LOG_PRETTY: 'sometimes' }, 'LOG_PRETTY: Expected boolean (got "sometimes")']
]

const refusal = (...lines: string[]) => new ConfigError(`invalid configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`)

describe.each(SERVICES)('$name configuration: the variables every service shares', ({ name, load, port, required }) => {
  it('defaults to its own port and name, and to the shared host and log settings', () => {
    expect(load(required)).toMatchObject({ HOST: '127.0.0.1', PORT: port, INSTANCE_ID: name, LOG_LEVEL: 'info', LOG_PRETTY: true })
    // An empty variable counts as unset.
    expect(load({ ...required, PORT: '', INSTANCE_ID: '' })).toMatchObject({ PORT: port, INSTANCE_ID: name })
  })

  it('reads them by the same names, converted to the same types', () => {
    const env = { ...required, HOST: '0.0.0.0', PORT: '0', INSTANCE_ID: `${name}-2`, LOG_LEVEL: 'error', LOG_PRETTY: 'false' }
    expect(load(env)).toMatchObject({ HOST: '0.0.0.0', PORT: 0, INSTANCE_ID: `${name}-2`, LOG_LEVEL: 'error', LOG_PRETTY: false })
  })

  it('refuses a bad PORT, LOG_LEVEL or LOG_PRETTY with the same message, naming the variable', () => {
    for (const [mistake, line] of MISTAKES) expect(() => load({ ...required, ...mistake })).toThrow(refusal(line))
  })
})

describe.each(SERVICES.filter((s) => s.minPoolSize !== undefined))('$name configuration: its database, read as every service with one reads it', ({ load, required, minPoolSize = 1 }) => {
  it('needs DATABASE_URL and pools up to PG_POOL_MAX connections, no fewer than its own minimum', () => {
    expect(load(required)).toMatchObject({ PG_POOL_MAX: 10 })
    expect(load({ ...required, PG_POOL_MAX: '12' })).toMatchObject({ PG_POOL_MAX: 12 })
    expect(() => load({ ...required, DATABASE_URL: undefined })).toThrow(refusal('DATABASE_URL: Expected required property (got null)', 'DATABASE_URL: Expected string (got null)'))
    const tooFew = String(minPoolSize - 1)
    expect(() => load({ ...required, PG_POOL_MAX: tooFew })).toThrow(refusal(`PG_POOL_MAX: Expected integer to be greater or equal to ${minPoolSize} (got "${tooFew}")`))
  })
})
