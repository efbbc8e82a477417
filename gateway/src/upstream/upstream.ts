import type { FastifyBaseLogger } from 'fastify'
import { createBreaker, isBreakerOpenError, type Breaker } from '@lab/platform'
import type { Readable } from 'node:stream'
import type { IncomingHttpHeaders } from 'undici/types/header.js'
import { createBalancer, type BalancingStrategy } from './balancer.js'
import { ejectReplica, startHealthChecks, type HealthCheckSettings } from './health-checker.js'
import { Replica, replicaName } from './replica.js'
import { NoHealthyReplicaError, UpstreamBreakerOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js'
import type { GatewayMetrics } from '../metrics.js'

export interface UpstreamRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
  /** A long-lived response (Server-Sent Events): no limit on the time between body chunks. */
  streaming?: boolean
}

/** The upstream's answer once its headers arrived; the body is streamed on to the client. */
export interface UpstreamResponse {
  statusCode: number
  headers: IncomingHttpHeaders
  body: Readable
}

export interface UpstreamSettings {
  name: string
  urls: string[]
  balancing: BalancingStrategy
  timeoutMs: number
  breaker: { errorThresholdPercentage: number, volumeThreshold: number, resetTimeoutMs: number }
  health: HealthCheckSettings
  /** The breaker's variant, chosen where the upstreams are wired (its pattern switch); by default the breaker itself. */
  chooseBreaker?: (breaker: Breaker) => Breaker
}

/** A 5xx answer: passed on to the client, but counted by the breaker as a failure of the upstream. */
class UpstreamServerError extends Error {
  constructor (readonly response: UpstreamResponse) { super(`upstream answered ${response.statusCode}`) }
}

/** The request never reached the replica: a retry elsewhere is safe whatever the method. */
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH'])
/**
 * The connection broke mid-way (e.g. the replica was killed): the request may have taken effect, so
 * only safe methods are retried. PUT and DELETE are idempotent in HTTP's terms, but a retried PUT would
 * still bump the catalog's row version a second time.
 */
const BROKEN_ERRORS = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * An upstream service behind the gateway: its replicas (balanced, health-checked) and one circuit
 * breaker with a timeout around them, so a dead or hanging upstream costs the client a fast 503
 * instead of a hang, and the upstream gets room to recover.
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 */
export class Upstream {
  readonly replicas: Replica[]
  readonly breaker: Breaker
  private readonly pick
  private readonly stopChecks: () => void

  constructor (private readonly settings: UpstreamSettings, private readonly metrics: GatewayMetrics, private readonly log: FastifyBaseLogger) {
    this.replicas = settings.urls.map((url) => new Replica(url, replicaName(url)))
    this.pick = createBalancer(settings.balancing)
    // The breaker's timeout bounds the whole call, a retry on a second replica included.
    const breaker = createBreaker({ name: settings.name, timeoutMs: settings.timeoutMs, ...settings.breaker, metrics: metrics.breakers, log })
    this.breaker = settings.chooseBreaker?.(breaker) ?? breaker
    const onChange = (r: Replica) => { metrics.replicaHealthy.set({ upstream: settings.name, replica: r.name }, r.healthy ? 1 : 0) }
    for (const r of this.replicas) onChange(r)
    this.stopChecks = startHealthChecks(settings.name, this.replicas, settings.health, log, onChange)
  }

  /** Sends a request through the breaker; answers the upstream's response or throws a 503/504 error. */
  async forward (req: UpstreamRequest): Promise<UpstreamResponse> {
    // Aborted when the call fails as a whole (e.g. the breaker's timeout), so a late answer is not left
    // half-read on a pooled connection.
    const abort = new AbortController()
    try {
      return await this.breaker.run(async () => await this.sendToAReplica(req, abort.signal))
    } catch (err) {
      if (err instanceof UpstreamServerError) return err.response
      abort.abort()
      const code = (err as { code?: string }).code
      // Counted by the breaker itself, in circuit_breaker_rejected_total{breaker="<upstream>"}.
      if (isBreakerOpenError(err)) throw new UpstreamBreakerOpenError(this.settings.name, Math.ceil(this.settings.breaker.resetTimeoutMs / 1000))
      if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') throw new UpstreamTimeoutError(this.settings.name, this.settings.timeoutMs)
      if (err instanceof NoHealthyReplicaError) throw err
      throw new UpstreamUnavailableError(this.settings.name, code ?? 'request failed', { cause: err })
    }
  }

  /**
   * Tries a replica; if it is gone (connection refused, or broken under an idempotent request), ejects
   * it and tries one other healthy replica, so killing a replica costs few or no failed requests.
   */
  private async sendToAReplica (req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const first = this.pick(this.replicas)
    if (first === undefined) {
      this.metrics.upstreamRejected.inc({ upstream: this.settings.name, reason: 'no_healthy_replica' })
      throw new NoHealthyReplicaError(this.settings.name)
    }
    try {
      return await this.sendTo(first, req, signal)
    } catch (err) {
      if (!isRetryable(err, req.method)) throw err
      ejectReplica(this.settings.name, first, this.log, (r) => { this.metrics.replicaHealthy.set({ upstream: this.settings.name, replica: r.name }, 0) })
      const second = this.pick(this.replicas, first)
      if (second === undefined) throw err
      return await this.sendTo(second, req, signal)
    }
  }

  private async sendTo (replica: Replica, req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const labels = { upstream: this.settings.name, replica: replica.name }
    // In flight until the response body has been passed on, so least-outstanding sees long answers.
    const done = () => {
      replica.outstanding--
      this.metrics.outstanding.set(labels, replica.outstanding)
    }
    replica.outstanding++
    this.metrics.outstanding.set(labels, replica.outstanding)
    let res
    try {
      res = await replica.pool.request({
        method: req.method as 'GET',
        path: req.path,
        headers: req.headers,
        body: req.body,
        signal,
        headersTimeout: this.settings.timeoutMs,
        bodyTimeout: req.streaming === true ? 0 : this.settings.timeoutMs
      })
    } catch (err) {
      const code = (err as { code?: string }).code
      this.metrics.upstreamRequests.inc({ ...labels, outcome: code === 'UND_ERR_HEADERS_TIMEOUT' ? 'timeout' : 'error' })
      done()
      throw err
    }
    res.body.once('close', done)
    this.metrics.upstreamRequests.inc({ ...labels, outcome: 'response' })
    const response = { statusCode: res.statusCode, headers: res.headers, body: res.body }
    if (res.statusCode >= 500) throw new UpstreamServerError(response)
    return response
  }

  async close (): Promise<void> {
    this.stopChecks()
    this.breaker.shutdown()
    await Promise.all(this.replicas.map(async (r) => { await r.pool.close() }))
  }
}

function isRetryable (err: unknown, method: string): boolean {
  const code = (err as { code?: string }).code
  if (code === undefined) return false
  return NOT_SENT_ERRORS.has(code) || (BROKEN_ERRORS.has(code) && SAFE_METHODS.has(method))
}
