import { createServer, type IncomingHttpHeaders } from 'node:http'
import { listenOnFreePort } from '@lab/testkit'

export interface Delivery {
  headers: IncomingHttpHeaders
  rawBody: string
  /** Unix seconds when it arrived. */
  receivedAt: number
}

/** What the receiver answers to the n-th delivery (1-based): a status code, or 'hang' (never answers). */
export type Answer = (n: number) => number | 'hang'

export interface CallbackReceiver {
  url: string
  deliveries: Delivery[]
  close: () => Promise<void>
}

/**
 * A tiny real HTTP server standing in for payments' callback endpoint: it records every delivery's
 * headers and raw body, and answers as told (204 by default).
 */
export async function startCallbackReceiver (answer: Answer = () => 204): Promise<CallbackReceiver> {
  const deliveries: Delivery[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    req.on('end', () => {
      deliveries.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: Math.floor(Date.now() / 1000) })
      const status = answer(deliveries.length)
      if (status === 'hang') return
      res.statusCode = status
      res.end()
    })
  })
  const baseUrl = await listenOnFreePort(server)
  return {
    url: `${baseUrl}/provider-callbacks`,
    deliveries,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }
}
