import { createServer, type Server } from 'node:net'

/** A Node server (http or net), or a Fastify app (which listens through its own `listen`). */
export type Listener = Server | { server: Server, listen: (opts: { host: string, port: number }) => Promise<string> }

/** Starts `target` on a free loopback port (port 0: the system picks) and gives its base URL. */
export async function listenOnFreePort (target: Listener): Promise<string> {
  let server: Server
  if ('server' in target) {
    await target.listen({ host: '127.0.0.1', port: 0 })
    server = target.server
  } else {
    server = target
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
    })
  }
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${address.port}`
}

/** A loopback port nothing listens on (bound, noted, freed): a dependency that is down. */
export async function closedPort (): Promise<number> {
  const probe = createServer()
  const url = new URL(await listenOnFreePort(probe))
  await new Promise<void>((resolve) => { probe.close(() => { resolve() }) })
  return Number(url.port)
}
