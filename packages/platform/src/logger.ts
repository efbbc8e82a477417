import type { LoggerOptions } from 'pino'

export interface LoggerSettings {
  service: string
  level: string
  /** Human-readable lines for a person at a terminal; JSON otherwise. */
  pretty: boolean
}

/** pino options shared by every service: JSON to stdout, the service name on every line. */
export function loggerOptions ({ service, level, pretty }: LoggerSettings): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-admin-token"]'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
