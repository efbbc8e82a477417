import createError, { type FastifyErrorConstructor } from '@fastify/error'

/**
 * What the error handler (errors.ts) answers besides the status, code and message: declared once with
 * the error in its service's `errors.ts`, not decided again wherever it is thrown.
 */
export interface ErrorAnswer {
  /**
   * A 5xx whose message is safe to show (breaker open, upstream timeout, injected outage): answered as
   * is and logged as a warning, not hidden behind INTERNAL_ERROR and logged as a crash. Below 500 every
   * message is shown anyway.
   */
  expose?: boolean
  /**
   * Retry-After on every answer, in seconds: when a retry may succeed. One whose value is known only
   * where it is thrown (a breaker's reset timeout, from config) is a subclass that sets `headers`.
   * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
   */
  retryAfterSeconds?: number
  /** Other headers on every answer, e.g. WWW-Authenticate on a 401. */
  headers?: Readonly<Record<string, string>>
}

/** The answer a declared error carries, read by the error handler. */
export interface DeclaredAnswer {
  readonly expose: boolean
  headers: Readonly<Record<string, string>>
}

export type DeclaredError<Args extends unknown[]> = FastifyErrorConstructor<{ code: string, statusCode: number } & DeclaredAnswer, Args>

/**
 * `createError(code, message, statusCode)` from @fastify/error, plus the rest of its answer. Errors
 * answered with their status and message only stay plain `createError`.
 */
export function declareError<Args extends unknown[] = []> (code: string, message: string, statusCode: number, answer: ErrorAnswer): DeclaredError<Args> {
  const Declared = createError<Args>(code, message, statusCode)
  const headers = answer.retryAfterSeconds === undefined ? { ...answer.headers } : { ...answer.headers, ...retryAfter(answer.retryAfterSeconds) }
  // On the prototype, shared by every instance; writable, so a subclass can answer its own headers.
  Object.defineProperties(Declared.prototype, {
    expose: { value: answer.expose === true, writable: true },
    headers: { value: Object.freeze(headers), writable: true }
  })
  return Declared as DeclaredError<Args>
}

/** The Retry-After header for a wait of `seconds`. */
export function retryAfter (seconds: number): Readonly<Record<string, string>> {
  return { 'retry-after': String(seconds) }
}
