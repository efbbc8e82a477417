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

/**
 * Decorates `app.redis`, pinged by readiness, closed on close. Boot waits briefly for the first
 * connection (commands fail fast while it is not ready), but never fails because Redis is down:
 * services that can run without Redis must still start.
 */
export const redisPlugin = fp<RedisOptions & { requiredForReadiness?: boolean, connectWaitMs?: number }>(async (app, opts) => {
  const redis = createRedisClient(opts)
  redis.on('error', (err) => { app.log.debug({ err: err.message }, 'redis connection error') })
  const connected = await waitForReady(redis, opts.connectWaitMs ?? 2000)
  if (!connected) app.log.warn('redis not reachable at boot; carrying on without it until it answers')
  app.decorate('redis', redis)
  if (opts.requiredForReadiness !== false) app.health.addCheck('redis', async () => await redis.ping())
  app.addHook('onClose', async () => { redis.disconnect() })
}, { name: 'lab-redis', dependencies: ['lab-health'] })

async function waitForReady (redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true
  return await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => { redis.off('ready', onReady); resolve(false) }, ms)
    const onReady = () => { clearTimeout(timer); resolve(true) }
    redis.once('ready', onReady)
  })
}
