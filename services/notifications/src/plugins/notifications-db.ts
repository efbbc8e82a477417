import fp from 'fastify-plugin'
import { getNotification, listNotifications, type StoredNotification } from '../db/notifications.js'

export interface NotificationsDb {
  get: (id: string) => Promise<StoredNotification | undefined>
  list: (page: { beforeSeq?: number, orderId?: string, limit: number }) => Promise<StoredNotification[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    notificationsDb: NotificationsDb
  }
}

/** The read side's SQL bound to the app's pool: decorated as `app.notificationsDb`. */
export const notificationsDbPlugin = fp(async (app) => {
  app.decorate('notificationsDb', {
    get: async (id) => await getNotification(app.pg, id),
    list: async (page) => await listNotifications(app.pg, page)
  } satisfies NotificationsDb)
}, { name: 'notifications-db', dependencies: ['lab-postgres'] })
