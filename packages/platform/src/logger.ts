import type { DestinationStream, LoggerOptions } from 'pino'

export interface LoggerSettings {
  service: string
  level: string
  /** Human-readable lines for a person at a terminal; JSON otherwise. */
  pretty: boolean
  /** Where the lines go instead of stdout: tests collect them to follow a request id across services. */
  stream?: DestinationStream
}

/** pino options shared by every service: JSON to stdout, the service name on every line. */
export function loggerOptions ({ service, level, pretty, stream }: LoggerSettings): LoggerOptions & { stream?: DestinationStream } {
  return {
    ...(stream === undefined ? {} : { stream }),
    level,
    base: { service },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-admin-token"]'], censor: '[redacted]' },
    ...(pretty && stream === undefined ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
