import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, withTransaction } from '@lab/platform'
import { alertNotification } from '../alerts/alert-notification.js'
import { insertNotification } from '../db/notifications.js'
import type { NotificationsMetrics } from '../metrics.js'
import { AlertmanagerWebhookSchema, AlertsRecordedSchema } from '../schemas/alerts.js'

export interface AlertRoutesOptions {
  metrics: Pick<NotificationsMetrics, 'notifications'>
}

/**
 * Alertmanager's webhook (infra/config/alertmanager.ts routes every alert here): each alert, firing
 * or resolved, becomes a notification on the `ops` channel, in one transaction, so it reaches the
 * live feed (GET /feed) and GET /notifications like any other. Reached on the service's private
 * address only; the gateway does not expose it, so nobody outside the lab can post fake alerts.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, { metrics }) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.post('/alerts', {
    schema: {
      description: 'Alertmanager webhook (payload version 4): records each alert as a notification',
      body: AlertmanagerWebhookSchema,
      response: { 200: AlertsRecordedSchema, ...errorResponses(400, 413, 415, 500) }
    }
  }, async (request) => {
    const notifications = request.body.alerts.map((alert) => alertNotification(alert, request.id))
    const created = await withTransaction(app.pg, async (client) => {
      const types: string[] = []
      for (const n of notifications) {
        const row = await insertNotification(client, n)
        if (row !== undefined) types.push(row.type)
      }
      return types
    })
    for (const type of created) metrics.notifications.inc({ type })
    request.log.info({ receiver: request.body.receiver, status: request.body.status, received: notifications.length, recorded: created.length }, 'alerts recorded')
    return { received: notifications.length, recorded: created.length, ids: notifications.map((n) => n.id) }
  })
}
