import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Registry } from 'prom-client'
import { loggerOptions, type LoggerSettings } from './logger.js'
import { requestIdOptions, requestIdPlugin } from './request-id.js'
import { accessLogPlugin } from './access-log.js'
import { metricsPlugin } from './metrics.js'
import { healthPlugin } from './health.js'
import { errorHandlerPlugin, ErrorBody } from './errors.js'
import { serverTimeoutsFrom } from './config.js'
import { strictInputPlugin } from './strict-input.js'
import { DEFAULT_SERVER_TIMEOUTS, serverTimeoutOptions, type ServerTimeouts } from './server-timeouts.js'

export type LabApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

export interface BaseAppOptions {
  logger: LoggerSettings
  registry: Registry
  /** Largest request body accepted; bigger ones get 413. */
  bodyLimit?: number
  /** Collect Node process metrics; off in tests that build many apps in one process. */
  defaultMetrics?: boolean
  /** Request, headers and keep-alive timeouts (server-timeouts.ts); DEFAULT_SERVER_TIMEOUTS by default. */
  timeouts?: Partial<ServerTimeouts>
}

/**
 * A Fastify instance with what every lab service shares, registered in a fixed order: request ids,
 * strict input (JSON bodies and URLs), RED metrics, health endpoints, the error handler; with the
 * request, headers and keep-alive timeouts set. Services add their clients and routes on top.
 */
export async function createBaseApp (opts: BaseAppOptions): Promise<LabApp> {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    // One access-log line per request (accessLogPlugin) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ...requestIdOptions,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    // Unknown properties are an error (400) where a schema forbids them, never silently dropped.
    // Fastify's default coercion ('array') applies to params and querystrings (strings on the wire);
    // a service that wants bodies validated without coercion compiles its own validator (see catalog).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...serverTimeoutOptions({ ...DEFAULT_SERVER_TIMEOUTS, ...opts.timeouts })
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(ErrorBody)
  await app.register(requestIdPlugin)
  await app.register(strictInputPlugin)
  await app.register(accessLogPlugin)
  await app.register(metricsPlugin, { registry: opts.registry, defaultMetrics: opts.defaultMetrics })
  await app.register(healthPlugin)
  await app.register(errorHandlerPlugin)
  return app
}

/** What a service's `buildApp(config, opts)` takes besides its config: what tests and server.ts choose. */
export interface ServiceBuildOptions {
  /** Metrics registry; a fresh one per app by default (tests build several apps in one process). */
  registry?: Registry
  logger?: Partial<LoggerSettings>
  /** Node process metrics; off by default in-process, on in server.ts. */
  defaultMetrics?: boolean
}

/**
 * The base app of one service, logging as `service` at its configured level, with the build options'
 * defaults applied; the registry comes back too, for the service's own metric families.
 */
export async function createServiceApp (service: string, config: { LOG_LEVEL: string, LOG_PRETTY: boolean } & Parameters<typeof serverTimeoutsFrom>[0], opts: ServiceBuildOptions = {}): Promise<{ app: LabApp, registry: Registry }> {
  const registry = opts.registry ?? new Registry()
  const app = await createBaseApp({
    logger: { service, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, ...opts.logger },
    registry,
    defaultMetrics: opts.defaultMetrics ?? false,
    timeouts: serverTimeoutsFrom(config)
  })
  return { app, registry }
}
