import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs'
import type { MessagingLogger } from './logger.js'

export interface CreateKafkaOptions {
  clientId: string
  brokers: string[]
  log: MessagingLogger
  /** Overrides for the client's retry policy (e.g. fewer retries in a test that points at a dead broker). */
  retry?: { initialRetryTime?: number, maxRetryTime?: number, retries?: number }
  connectionTimeoutMs?: number
}

/**
 * A kafkajs client whose log lines go to the service's pino logger at the matching level, so Kafka's
 * own messages carry the service's bindings (service, instance) and respect LOG_LEVEL.
 * @see https://kafka.js.org/docs/custom-logger
 */
export function createKafka ({ clientId, brokers, log, retry, connectionTimeoutMs = 3000 }: CreateKafkaOptions): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' })
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    // A lab wants failures to surface in seconds, not minutes: short first retry, capped backoff.
    // @see https://kafka.js.org/docs/configuration#retry
    retry: { initialRetryTime: 100, maxRetryTime: 5000, retries: 8, ...retry },
    logLevel: kafkaLevelFor(kafkaLog.level),
    logCreator: pinoLogCreator(kafkaLog)
  })
}

/** Ask kafkajs only for what pino would print anyway: its DEBUG is very chatty. */
function kafkaLevelFor (pinoLevel: string): logLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug': return logLevel.DEBUG
    case 'info': return logLevel.INFO
    case 'warn': return logLevel.WARN
    case 'silent': return logLevel.NOTHING
    default: return logLevel.ERROR
  }
}

/**
 * Warnings that are expected in this design, logged at debug: the relay and the DLQ producer retry
 * on their own terms (and consumers dedupe), so capping the idempotent producer's retries is deliberate.
 */
const expected = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees'])

function pinoLogCreator (log: MessagingLogger): logCreator {
  return () => ({ namespace, level, log: entry }: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _logger, error, ...extra } = entry as typeof entry & { timestamp?: string, logger?: string, error?: unknown }
    // pino serialises an Error (message, stack, cause) only under `err`.
    const context = { kafkaNamespace: namespace, ...extra, ...(error instanceof Error ? { err: error } : error === undefined ? {} : { error }) }
    switch (expected.has(message) ? logLevel.DEBUG : level) {
      case logLevel.ERROR: log.error(context, message); break
      case logLevel.WARN: log.warn(context, message); break
      case logLevel.INFO: log.info(context, message); break
      default: log.debug(context, message)
    }
  }
}
