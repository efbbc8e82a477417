/**
 * The slice of a pino logger this package uses. Both Fastify's `app.log` / `request.log` and a plain
 * `pino()` logger satisfy it, so services pass whichever they hold.
 */
export interface MessagingLogger {
  level: string
  child: (bindings: Record<string, unknown>) => MessagingLogger
  error: LogFn
  warn: LogFn
  info: LogFn
  debug: LogFn
}

interface LogFn {
  (obj: object, msg?: string): void
  (msg: string): void
}
