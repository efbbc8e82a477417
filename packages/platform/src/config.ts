import { Type, type Static, type TObject } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { ServerTimeouts } from './server-timeouts.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * The variables every lab process reads first, by the same names and rules (infra/topology.ts sets
 * them): where it listens, which instance it is, how it logs. Only the defaults differ: each service's
 * own port and name. Spread first into a service's schema, its own knobs after:
 * `Type.Object({ ...serviceConfigBase({ service: 'catalog', port: 7101 }), ... })`.
 */
export function serviceConfigBase ({ service, port }: { service: string, port: number }) {
  return {
    HOST: Type.String({ default: '127.0.0.1' }),
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: port }),
    INSTANCE_ID: Type.String({ minLength: 1, default: service }),
    LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
    /** pino-pretty's lines only when stdout is a terminal, JSON to a file or a pipe whatever this says (logger.ts): safe on by default. */
    LOG_PRETTY: Type.Boolean({ default: true }),
    /** The whole request, body included: slower gets 408 and the connection closed (server-timeouts.ts). */
    REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
    /** The request's headers; at most REQUEST_TIMEOUT_MS. */
    HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
    /** An idle keep-alive connection is closed after this. */
    KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 72_000 })
  }
}

/** The server timeouts of a config built on serviceConfigBase, as createBaseApp takes them. */
export function serverTimeoutsFrom (config: { REQUEST_TIMEOUT_MS?: number, HEADERS_TIMEOUT_MS?: number, KEEP_ALIVE_TIMEOUT_MS?: number }): Partial<ServerTimeouts> {
  return Object.fromEntries(Object.entries({
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS
  }).filter(([, value]) => value !== undefined))
}

/**
 * A service's own PostgreSQL database: postgresPlugin's connection string and pool size, the database
 * named in the variable's description. Spread after `serviceConfigBase` by the services that have one.
 */
export function postgresConfig (database: string, { minPoolSize = 1 }: { minPoolSize?: number } = {}) {
  return {
    DATABASE_URL: Type.String({ minLength: 1, description: `postgres://user:password@host:port/${database}` }),
    PG_POOL_MAX: Type.Integer({ minimum: minPoolSize, default: 10 })
  }
}

/**
 * Reads a service's configuration from the environment once, at boot: defaults applied, strings
 * converted to the schema's types, then validated. Fails fast naming every bad variable. The result is
 * frozen and passed in; nothing else in a service reads `process.env`.
 */
export function loadConfig<T extends TObject> (schema: T, env: Record<string, string | undefined> = process.env): Readonly<Static<T>> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  const errors = [...Value.Errors(schema, converted)]
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.path.replace(/^\//, '') || '(root)'
      return `  ${name}: ${e.message} (got ${JSON.stringify(env[name] ?? null)})`
    })
    throw new ConfigError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`)
  }
  return Object.freeze(converted as Static<T>)
}
