import { Redis } from 'ioredis'
import { address, services } from '../infra/topology.js'
import { loadCatalogConfig } from '../services/catalog/src/config.js'

/** The catalog as the lab runs it: its replica's environment from the topology, defaults applied. */
export function labCatalogConfig () {
  const replica = services.find((s) => s.name === 'catalog-1')
  if (replica === undefined) throw new Error('the topology has no catalog-1')
  return { ...loadCatalogConfig(replica.env('native')), url: `http://${address('catalog-1', 'native')}` }
}

/**
 * Deletes every key the catalog wrote (`<prefix>*`) on the lab's Redis, directly (not through
 * Toxiproxy), with SCAN + UNLINK so Redis never blocks on one big command.
 * @see https://redis.io/docs/latest/commands/scan/
 */
export async function deleteCatalogKeys (prefix: string): Promise<number> {
  const [host = '127.0.0.1', port = '6379'] = address('redis', 'native').split(':')
  const redis = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  let lastError: Error | undefined
  redis.on('error', (err: Error) => { lastError = err })
  let deleted = 0
  try {
    await redis.connect().catch((err: unknown) => {
      throw new Error(`cannot reach the lab's Redis at ${host}:${port}: ${(lastError ?? err as Error).message}`)
    })
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 })
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.unlink(...keys)
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}

/** GETs each path once, in order; fails on a non-2xx answer. Returns the x-cache header of each. */
export async function getEach (base: string, paths: string[]): Promise<string[]> {
  const sources: string[] = []
  for (const path of paths) {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
    await response.body?.cancel()
    if (!response.ok) throw new Error(`GET ${base}${path} answered ${response.status}`)
    sources.push(response.headers.get('x-cache') ?? '')
  }
  return sources
}
