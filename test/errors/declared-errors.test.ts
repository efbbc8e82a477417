import Fastify from 'fastify'
import { declareError, errorHandlerPlugin } from '@lab/platform'
import { describe, expect, it } from 'vitest'
import { AdminAuthLockedError, AdminCredentialMissingError, AdminCredentialWrongError, AdminTargetUnavailableError, ToxiproxyUnavailableError } from '../../gateway/src/admin/errors.js'
import { InvalidJsonBodyError, NoHealthyReplicaError, UpstreamBreakerOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../gateway/src/errors.js'
import { IdempotencyRequestInProgressError } from '../../packages/idempotency/src/errors.js'
import { InventoryBreakerOpenError, InventoryUnavailableError, StockContendedError } from '../../services/orders/src/errors.js'
import { ProviderUnavailableError } from '../../services/provider/src/errors.js'

/** What a client gets and what the log says, as the platform's error handler answers an error. */
interface Answer {
  statusCode: number
  code: string
  message: string
  headers: { 'retry-after'?: string, 'www-authenticate'?: string }
  level: 'debug' | 'info' | 'warn' | 'error'
}

const LEVELS: Record<number, Answer['level']> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' }

/** A tiny app with nothing but the error handler and one route that throws `err`. */
async function answerTo (err: Error): Promise<Answer> {
  const lines: Array<{ level: number, msg: string }> = []
  const app = Fastify({ logger: { level: 'debug', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  try {
    await app.register(errorHandlerPlugin)
    app.get('/', async () => { throw err })
    const res = await app.inject({ method: 'GET', url: '/' })
    const { statusCode, code, message } = res.json<{ statusCode: number, code: string, message: string }>()
    expect(res.statusCode).toBe(statusCode)
    const headers = Object.fromEntries((['retry-after', 'www-authenticate'] as const).flatMap((name) => {
      const value = res.headers[name]
      return value === undefined ? [] : [[name, String(value)]]
    }))
    const logged = lines.find((line) => line.msg === 'request failed' || line.msg === 'request rejected')
    return { statusCode, code, message, headers, level: LEVELS[logged?.level ?? 0] ?? 'debug' }
  } finally {
    await app.close()
  }
}

const cause = { cause: new Error('connect ECONNREFUSED 127.0.0.1:3003') }

/** Every error declared with more than its status (issue 12, item 10), and the answer it was thrown with before. */
const DECLARED: Array<[string, () => Error, Answer]> = [
  ['orders: stock contended', () => new StockContendedError(7),
    { statusCode: 503, code: 'ORDERS_STOCK_CONTENDED', message: 'too many concurrent buyers for product 7; retry shortly', headers: { 'retry-after': '1' }, level: 'warn' }],
  ['orders: inventory unavailable', () => new InventoryUnavailableError('connection failed', cause),
    { statusCode: 503, code: 'ORDERS_INVENTORY_UNAVAILABLE', message: 'inventory is unavailable (connection failed); retry later', headers: {}, level: 'warn' }],
  ['orders: inventory breaker open', () => new InventoryBreakerOpenError(5),
    { statusCode: 503, code: 'ORDERS_INVENTORY_UNAVAILABLE', message: 'inventory is unavailable (circuit breaker open); retry later', headers: { 'retry-after': '5' }, level: 'warn' }],
  ['provider: unavailable', () => new ProviderUnavailableError(),
    { statusCode: 503, code: 'PROVIDER_UNAVAILABLE', message: 'the payment provider is unavailable; retry later with the same chargeId', headers: { 'retry-after': '1' }, level: 'warn' }],
  ['idempotency: request in progress', () => new IdempotencyRequestInProgressError(),
    { statusCode: 409, code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS', message: 'a request with this Idempotency-Key is still being processed; retry later', headers: { 'retry-after': '1' }, level: 'info' }],
  ['gateway: upstream unavailable', () => new UpstreamUnavailableError('catalog', 'ECONNREFUSED', cause),
    { statusCode: 503, code: 'GATEWAY_UPSTREAM_UNAVAILABLE', message: 'upstream catalog is unavailable: ECONNREFUSED', headers: {}, level: 'warn' }],
  ['gateway: upstream breaker open', () => new UpstreamBreakerOpenError('catalog', 60),
    { statusCode: 503, code: 'GATEWAY_UPSTREAM_UNAVAILABLE', message: 'upstream catalog is unavailable: circuit breaker open', headers: { 'retry-after': '60' }, level: 'warn' }],
  ['gateway: upstream timeout', () => new UpstreamTimeoutError('catalog', 300),
    { statusCode: 504, code: 'GATEWAY_UPSTREAM_TIMEOUT', message: 'upstream catalog did not answer within 300 ms', headers: {}, level: 'warn' }],
  ['gateway: no healthy replica', () => new NoHealthyReplicaError('catalog'),
    { statusCode: 503, code: 'GATEWAY_NO_HEALTHY_REPLICA', message: 'no healthy replica of catalog', headers: {}, level: 'warn' }],
  ['gateway: malformed JSON body', () => new InvalidJsonBodyError(),
    { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'body is not valid JSON', headers: {}, level: 'info' }],
  ['gateway admin: credential missing', () => new AdminCredentialMissingError(),
    { statusCode: 401, code: 'GATEWAY_ADMIN_CREDENTIAL_MISSING', message: 'the admin API needs the lab admin credential: Authorization: Bearer <token>', headers: { 'www-authenticate': 'Bearer realm="lab-admin"' }, level: 'info' }],
  ['gateway admin: credential wrong', () => new AdminCredentialWrongError(),
    { statusCode: 403, code: 'GATEWAY_ADMIN_CREDENTIAL_WRONG', message: 'this credential is not the lab admin credential', headers: { 'www-authenticate': 'Bearer realm="lab-admin", error="invalid_token"' }, level: 'info' }],
  ['gateway admin: too many wrong credentials', () => new AdminAuthLockedError(41_200, {}),
    { statusCode: 429, code: 'GATEWAY_ADMIN_AUTH_LOCKED', message: 'too many wrong admin credentials from this address: retry in 42 s', headers: { 'retry-after': '42' }, level: 'debug' }],
  ['gateway admin: Toxiproxy unavailable', () => new ToxiproxyUnavailableError('fetch failed'),
    { statusCode: 503, code: 'GATEWAY_ADMIN_TOXIPROXY_UNAVAILABLE', message: 'Toxiproxy did not answer: fetch failed', headers: {}, level: 'warn' }],
  ['gateway admin: target unavailable', () => new AdminTargetUnavailableError('orders-1', 'fetch failed'),
    { statusCode: 503, code: 'GATEWAY_ADMIN_TARGET_UNAVAILABLE', message: 'orders-1 did not answer its admin route: fetch failed', headers: {}, level: 'warn' }]
]

describe('errors declared with their answer', () => {
  it.each(DECLARED)('%s: answers its status, code, message and headers, logged at its level', async (_name, make, expected) => {
    expect(await answerTo(make())).toEqual(expected)
  })

  it('hides a 5xx that is not declared exposed, and logs it as an error', async () => {
    const Undeclared = declareError('TEST_UNDECLARED', 'secret detail', 503, {})
    expect(await answerTo(new Undeclared())).toEqual({
      statusCode: 503, code: 'INTERNAL_ERROR', message: 'internal error; see the service log for this request id', headers: {}, level: 'error'
    })
  })

  it('keeps a breaker-open error an instance of its unavailable error, answering its own Retry-After only', () => {
    expect(new InventoryBreakerOpenError(5)).toBeInstanceOf(InventoryUnavailableError)
    expect(new UpstreamBreakerOpenError('catalog', 60)).toBeInstanceOf(UpstreamUnavailableError)
    expect(new InventoryUnavailableError('connection failed').headers).toEqual({})
    expect(new UpstreamUnavailableError('catalog', 'ECONNREFUSED').headers).toEqual({})
  })

  it('keeps the cause it is given', () => {
    expect(new InventoryUnavailableError('connection failed', cause).cause).toBe(cause.cause)
  })
})
