import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '@lab/platform'
import { UuidSchema } from '../schemas/notification.js'
import { UnknownLastEventIdError } from '../errors.js'

const FeedHeadersSchema = Type.Object({
  /** Sent by EventSource when it reconnects: the id of the last event it received. */
  'last-event-id': Type.Optional(UuidSchema)
})

export const feedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/feed', {
    schema: {
      headers: FeedHeadersSchema,
      description: 'Server-Sent Events: every new notification as `event: notification`, `id`, `data` (JSON). Send Last-Event-ID to get the ones missed first.',
      produces: ['text/event-stream'],
      response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses(400, 404, 500) }
    }
  }, async (request, reply) => {
    const lastEventId = request.headers['last-event-id']
    let afterSeq: number | undefined
    if (lastEventId !== undefined) {
      const last = await app.notificationsDb.get(lastEventId)
      // Unknown id: we cannot tell what the client missed; say so rather than silently skip or repeat.
      if (last === undefined) throw new UnknownLastEventIdError(lastEventId)
      afterSeq = last.seq
    }
    await app.feed.stream(request, reply, afterSeq)
    return reply
  })
}
