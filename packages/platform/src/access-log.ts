import fp from 'fastify-plugin'

/**
 * One access-log line per request, when its response is sent: method, url, status and duration, with
 * the request id pino adds to every line (`reqId`). Fastify's own pair of lines (received, completed)
 * is switched off in createBaseApp: under load, half the log volume for the same information.
 * Probes and /metrics (`config.skipMetrics`) are left out.
 */
export const accessLogPlugin = fp(async (app) => {
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config.skipMetrics === true) return
    request.log.info({
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100
    }, 'request completed')
  })
}, { name: 'lab-access-log' })
