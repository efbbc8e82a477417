import type { FastifyBaseLogger } from 'fastify'
import type { Replica } from './replica.js'

export interface HealthCheckSettings {
  intervalMs: number
  timeoutMs: number
  unhealthyThreshold: number
  healthyThreshold: number
}

/**
 * Active health checks: every interval each replica's `/health/ready` is asked; after
 * `unhealthyThreshold` failures in a row it leaves the rotation, after `healthyThreshold` passes in a
 * row it comes back. Thresholds above one keep a single slow answer from flapping a replica.
 */
export function startHealthChecks (upstream: string, replicas: readonly Replica[], settings: HealthCheckSettings, log: FastifyBaseLogger, onChange: (replica: Replica) => void): () => void {
  let stopped = false
  const inFlight = new Set<Replica>()

  async function check (replica: Replica): Promise<void> {
    if (inFlight.has(replica)) return
    inFlight.add(replica)
    let ok = false
    try {
      const res = await replica.pool.request({ path: '/health/ready', method: 'GET', signal: AbortSignal.timeout(settings.timeoutMs) })
      await res.body.dump()
      ok = res.statusCode === 200
    } catch {
      ok = false
    } finally {
      inFlight.delete(replica)
    }
    if (stopped) return
    record(replica, ok)
  }

  function record (replica: Replica, ok: boolean): void {
    if (ok) {
      replica.consecutiveFailures = 0
      replica.consecutiveSuccesses++
      if (!replica.healthy && replica.consecutiveSuccesses >= settings.healthyThreshold) {
        replica.healthy = true
        log.info({ upstream, replica: replica.name }, 'replica back in rotation')
        onChange(replica)
      }
    } else {
      replica.consecutiveSuccesses = 0
      replica.consecutiveFailures++
      if (replica.healthy && replica.consecutiveFailures >= settings.unhealthyThreshold) {
        replica.healthy = false
        log.warn({ upstream, replica: replica.name }, 'replica taken out of rotation')
        onChange(replica)
      }
    }
  }

  const checkAll = () => { for (const r of replicas) check(r).catch(() => {}) }
  const timer = setInterval(checkAll, settings.intervalMs)
  timer.unref()
  checkAll()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

/**
 * Passive ejection: a replica that refused a connection is taken out at once instead of waiting for
 * the next active check; the active checks bring it back when it answers again.
 */
export function ejectReplica (upstream: string, replica: Replica, log: FastifyBaseLogger, onChange: (replica: Replica) => void): void {
  if (!replica.healthy) return
  replica.healthy = false
  replica.consecutiveSuccesses = 0
  log.warn({ upstream, replica: replica.name }, 'replica refused a connection: taken out of rotation')
  onChange(replica)
}
