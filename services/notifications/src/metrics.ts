import { Counter, Gauge, type Registry } from 'prom-client'
import { EVENT_TYPES } from './topics.js'

/**
 * The service's own metric families, on the injected registry. The consumer's families
 * (consumer_messages_total, dlq_messages_total) are @lab/messaging's, registered on the same registry.
 */
export function createNotificationsMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    notifications: new Counter({
      name: 'notifications_total',
      help: 'Notifications created, by event type (one per event: redeliveries are not counted)',
      labelNames: ['type'] as const,
      registers
    }),
    sseClients: new Gauge({
      name: 'sse_clients',
      help: 'Clients connected to the live feed (GET /feed) of this replica',
      registers
    }),
    sseDisconnects: new Counter({
      name: 'sse_disconnects_total',
      help: 'Feed connections ended, by reason: client (went away), slow (fell too far behind; it reconnects with Last-Event-ID), shutdown, error (replay failed)',
      labelNames: ['reason'] as const,
      registers
    })
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const type of EVENT_TYPES) metrics.notifications.inc({ type }, 0)
  for (const reason of ['client', 'slow', 'shutdown', 'error']) metrics.sseDisconnects.inc({ reason }, 0)
  return metrics
}

export type NotificationsMetrics = ReturnType<typeof createNotificationsMetrics>
