import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { NotificationListQuerySchema, NotificationListSchema, NotificationParamsSchema, NotificationSchema } from '../schemas/notification.js'
import { InvalidCursorError, NotificationNotFoundError } from '../errors.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import { toApiNotification } from '../feed/sse-stream.js'

const DEFAULT_LIMIT = 20

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator: no coercion, numbers in query strings are matched as decimal strings.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/notifications', {
    schema: { querystring: NotificationListQuerySchema, response: { 200: NotificationListSchema, ...errorResponses(400, 500) } }
  }, async (request) => {
    const { cursor, orderId } = request.query
    const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit)
    const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor)
    if (cursor !== undefined && beforeSeq === undefined) throw new InvalidCursorError()
    const rows = await app.notificationsDb.list({ beforeSeq, orderId, limit })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return { items: page.map(toApiNotification), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null }
  })

  app.get('/notifications/:id', {
    schema: { params: NotificationParamsSchema, response: { 200: NotificationSchema, ...errorResponses(400, 404, 500) } }
  }, async (request) => {
    const notification = await app.notificationsDb.get(request.params.id)
    if (notification === undefined) throw new NotificationNotFoundError(request.params.id)
    return toApiNotification(notification)
  })
}
