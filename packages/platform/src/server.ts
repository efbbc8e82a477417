import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

/**
 * Listens, and closes gracefully on SIGINT/SIGTERM: readiness turns to "draining", in-flight
 * requests finish, clients are closed by their `onClose` hooks; a second signal or the delay forces exit.
 */
export async function serve (app: FastifyInstance, { host, port, graceMs = 10_000 }: { host: string, port: number, graceMs?: number }): Promise<void> {
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  try {
    await app.listen({ host, port })
  } catch (err) {
    app.log.fatal({ err }, 'could not listen')
    process.exit(1)
  }
}
