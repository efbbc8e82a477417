import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyServerOptions } from 'fastify'

/** How long a client may take, in milliseconds. Each is a variable of serviceConfigBase (config.ts). */
export interface ServerTimeouts {
  /** The whole request, headers and body: slower gets 408 and the connection closed (slow-body attacks). */
  requestTimeoutMs: number
  /** The request's headers (slowloris); not more than requestTimeoutMs. */
  headersTimeoutMs: number
  /** An idle keep-alive connection between two requests is closed after this. */
  keepAliveTimeoutMs: number
}

export const DEFAULT_SERVER_TIMEOUTS: Readonly<ServerTimeouts> = Object.freeze({
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  // Fastify's default: longer than the idle time of the lab's HTTP clients' pools, so a server never
  // closes a connection a client is about to reuse.
  keepAliveTimeoutMs: 72_000
})

/**
 * Node's HTTP server enforces the request and headers timeouts: it answers 408 and closes the
 * connection, checking its open connections every `connectionsCheckingInterval` (30 s by default,
 * so a timeout would be late by up to 30 s; here a tenth of the request timeout, 100 ms to 1 s).
 * Fastify turns Node's 5-minute request timeout off unless `requestTimeout` is set: without it the
 * gateway held a request whose body never came for as long as the client cared to wait (330 s seen).
 * Idle sockets during a response (connectionTimeout) are left alone: an SSE stream may be quiet.
 * @see https://nodejs.org/api/http.html#serverrequesttimeout
 * @see https://fastify.dev/docs/latest/Reference/Server/#requesttimeout
 */
export function serverTimeoutOptions (timeouts: ServerTimeouts): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout' | 'clientErrorHandler'> & { http: { headersTimeout: number, connectionsCheckingInterval: number } } {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = timeouts
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(requestTimeoutMs / 10)))
    },
    clientErrorHandler: answerClientError
  }
}

/**
 * What Node's parser refuses before Fastify has a request (a timeout, headers too large, malformed
 * HTTP) is answered with the lab's error body, like everything else, and the connection is closed.
 */
function answerClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [statusCode, code, message] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
      : [400, 'BAD_HTTP_REQUEST', 'the request is not valid HTTP']
  const error = STATUS_CODES[statusCode] ?? 'Error'
  const body = JSON.stringify({ statusCode, code, error, message, requestId: randomUUID() })
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${statusCode} ${error}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  }
  socket.destroy(err)
}
