import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

export interface RedisOptions {
  url: string
  /** Prefix for every key this app writes, so tests and services never collide. */
  keyPrefix?: string
  /** How long one command may take before it fails (a slow Redis must not stall requests). */
  commandTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
  }
}

/**
 * A Redis client that fails fast instead of queueing while Redis is down: `enableOfflineQueue: false`
 * and one retry per request, so callers see the outage at once and can fail open; the client keeps
 * reconnecting in the background.
 */
export function createRedisClient (opts: RedisOptions): Redis {
  return new Redis(opts.url, {
    keyPrefix: opts.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 250,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: false
  })
}

/** Decorates `app.redis`, pinged by readiness, quit on close. */
export const redisPlugin = fp<RedisOptions & { requiredForReadiness?: boolean }>(async (app, opts) => {
  const redis = createRedisClient(opts)
  redis.on('error', (err) => { app.log.debug({ err: err.message }, 'redis connection error') })
  app.decorate('redis', redis)
  if (opts.requiredForReadiness !== false) app.health.addCheck('redis', async () => await redis.ping())
  app.addHook('onClose', async () => { redis.disconnect() })
}, { name: 'lab-redis', dependencies: ['lab-health'] })
