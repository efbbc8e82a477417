import { Pool } from 'undici'

/** One instance of an upstream service, with what the balancer and the health checker know of it. */
export class Replica {
  readonly pool: Pool
  healthy = true
  outstanding = 0
  consecutiveFailures = 0
  consecutiveSuccesses = 0

  constructor (readonly url: string, readonly name: string) {
    this.pool = new Pool(url, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000, connectTimeout: 1000 })
  }
}

/** A short, stable label for metrics: host:port of the replica. */
export function replicaName (url: string): string {
  return new URL(url).host
}
