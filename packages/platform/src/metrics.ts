import fp from 'fastify-plugin'
import { Counter, Histogram, collectDefaultMetrics, type Registry } from 'prom-client'

export interface MetricsOptions {
  registry: Registry
  /** Collect Node process metrics (event loop lag, heap, GC) too. */
  defaultMetrics?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry
  }
  interface FastifyContextConfig {
    /** Leave this route out of the RED metrics (health probes, /metrics itself). */
    skipMetrics?: boolean
  }
}

const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * RED metrics for every route, labelled by the route's pattern (never the raw URL, so the number of
 * series stays bounded), and `GET /metrics` serving the injected registry.
 */
export const metricsPlugin = fp<MetricsOptions>(async (app, { registry, defaultMetrics = true }) => {
  if (defaultMetrics) collectDefaultMetrics({ register: registry })
  const labelNames = ['route', 'method', 'status_code'] as const
  const requests = new Counter({ name: 'http_server_requests_total', help: 'HTTP requests answered, by route, method and status code', labelNames, registers: [registry] })
  const duration = new Histogram({ name: 'http_server_request_duration_seconds', help: 'HTTP request duration in seconds', labelNames, buckets: durationBuckets, registers: [registry] })

  app.decorate('metricsRegistry', registry)

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config.skipMetrics === true) return
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_code: String(reply.statusCode)
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  app.get('/metrics', { config: { skipMetrics: true }, logLevel: 'warn', schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return await registry.metrics()
  })
}, { name: 'lab-metrics' })
