import { createRequire } from 'node:module'
import type { DestinationStream, LoggerOptions } from 'pino'
import type { PrettyOptions, prettyFactory as PrettyFactory } from 'pino-pretty'

export interface LoggerSettings {
  service: string
  level: string
  /**
   * Human-readable lines (pino-pretty) when a person reads them: only when stdout is a terminal. Lines
   * that go to a file or a pipe (the native runner's logs, Docker's, `| jq`) stay JSON whatever this says,
   * so `./lab logs --req` and log shippers can always parse them.
   */
  pretty: boolean
  /** Where the lines go instead of stdout: tests collect them to follow a request id across services. */
  stream?: DestinationStream
  /** Whether stdout is a terminal; `process.stdout.isTTY` unless a test says otherwise. */
  stdoutIsTerminal?: boolean
}

/**
 * How a JSON line looks to a human, shared by the services on a terminal and by `./lab logs`: local time,
 * level, message, then the remaining fields (reqId among them); pid and hostname left out, and the
 * service too, since the runner already prefixes each line with it.
 */
export const PRETTY_OPTIONS = { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true } as const satisfies PrettyOptions

/** Whether a logger with these settings writes pino-pretty's lines rather than JSON. */
export function writesPretty ({ pretty, stream, stdoutIsTerminal }: LoggerSettings): boolean {
  return pretty && stream === undefined && (stdoutIsTerminal ?? process.stdout.isTTY === true)
}

/**
 * pino options shared by every service: JSON to stdout, one line per event, the service name on every
 * line; pino-pretty instead when `writesPretty` says a person is reading.
 */
export function loggerOptions (settings: LoggerSettings): LoggerOptions & { stream?: DestinationStream } {
  const { service, level, stream } = settings
  return {
    ...(stream === undefined ? {} : { stream }),
    level,
    base: { service },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-admin-token"]'], censor: '[redacted]' },
    ...(writesPretty(settings) ? { transport: { target: 'pino-pretty', options: { ...PRETTY_OPTIONS, ignore: 'pid,hostname' } } } : {})
  }
}

/** Turns one log line into what a person reads; lines that are not pino's JSON come back unchanged. */
export type LineFormatter = (line: string) => string

/**
 * A formatter of JSON log lines with pino-pretty (PRETTY_OPTIONS), for a reader of log files such as
 * `./lab logs`. pino-pretty is required here, on first use, so that a service writing JSON never loads it
 * and a command that only imports this module pays nothing for it.
 */
export function createPrettyFormatter ({ colorize }: { colorize: boolean }): LineFormatter {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof PrettyFactory }
  const pretty = prettyFactory({ ...PRETTY_OPTIONS, colorize })
  return (line) => {
    if (!line.startsWith('{')) return line
    try {
      return pretty(JSON.parse(line) as object).replace(/\n$/, '')
    } catch {
      return line
    }
  }
}
