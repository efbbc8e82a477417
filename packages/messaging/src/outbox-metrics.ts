import type { Registry } from 'prom-client'
import { sharedCounter, sharedGauge } from './metrics.js'

export interface RelayMetrics {
  backlog: { set: (value: number) => void }
  oldestAge: { set: (value: number) => void }
  published: { inc: (value?: number) => void }
  errors: { inc: (value?: number) => void }
  leader: { set: (value: number) => void }
}

/** The relay's metrics, bound to its `service` label. */
export function createRelayMetrics (registry: Registry, service: string): RelayMetrics {
  const labels = ['service']
  const metrics = {
    backlog: sharedGauge(registry, 'outbox_backlog', 'Outbox rows not yet published to Kafka', labels).labels(service),
    oldestAge: sharedGauge(registry, 'outbox_oldest_unsent_age_seconds', 'Age of the oldest unpublished outbox row (0 when none)', labels).labels(service),
    published: sharedCounter(registry, 'outbox_published_total', 'Outbox rows published to Kafka', labels).labels(service),
    errors: sharedCounter(registry, 'outbox_publish_errors_total', 'Failed outbox publish attempts (rows stay and are retried)', labels).labels(service),
    leader: sharedGauge(registry, 'outbox_relay_leader', '1 while this instance holds the relay lock and publishes', labels).labels(service)
  }
  // Export zeros from the start, so dashboards and alerts see a series before the first event.
  metrics.backlog.set(0)
  metrics.oldestAge.set(0)
  metrics.published.inc(0)
  metrics.errors.inc(0)
  metrics.leader.set(0)
  return metrics
}
