/**
 * The PostgreSQL error codes inventory reacts to.
 * @see https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export const SQLSTATE = {
  /** A duplicate key: here, a reservation id already taken by a twin request. */
  uniqueViolation: '23505',
  /** A CHECK constraint refused the row (a counter below zero). */
  checkViolation: '23514',
  /** lock_timeout expired while waiting for a row lock. */
  lockNotAvailable: '55P03'
} as const

export function hasSqlState (err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
