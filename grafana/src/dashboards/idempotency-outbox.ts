import type { DashboardSpec } from '../dashboard.js'
import { sumRate } from '../promql.js'

/** packages/idempotency/src/with-idempotency.ts and packages/messaging/src/outbox*.ts, with the orders saga they serve. */
export const idempotencyOutbox: DashboardSpec = {
  slug: 'idempotency-outbox',
  title: 'Pattern — idempotency keys and transactional outbox',
  description: 'Retried requests answered from their stored response, orders placed and settled, and the outbox that turns committed rows into Kafka events. Pages: docs/patterns/idempotency-keys.md, transactional-outbox.md, saga.md.',
  tags: ['pattern', 'idempotency', 'outbox'],
  rows: [
    {
      title: 'Idempotency keys',
      panels: [
        {
          title: 'Requests answered from a stored response (replays)',
          shows: 'Requests carrying an Idempotency-Key seen before, answered with the stored response (idempotent-replayed: true) instead of being executed again (idempotent_replays_total).',
          healthy: 'replays whenever clients retry (timeouts, double clicks); the orders placed below do not grow with them.',
          broken: 'no replays while clients retry and duplicate orders appear: keys are not sent or not checked.',
          queries: [{ expr: sumRate(['service'], 'idempotent_replays_total'), legend: '{{service}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          title: 'Orders placed and settled',
          shows: 'Orders placed per second (orders_placed_total, replays not counted) and orders entering each state (orders_total): pending when placed, then confirmed or cancelled by the saga.',
          healthy: 'confirmed follows placed a few tens of milliseconds later; cancelled only for failed payments.',
          broken: 'placed without confirmed or cancelled: events are not flowing (outbox backlog, consumer lag); placed above the client\'s distinct orders: duplicates.',
          queries: [
            { expr: sumRate([], 'orders_placed_total'), legend: 'placed' },
            { expr: sumRate(['status'], 'orders_total'), legend: '{{status}}' }
          ],
          unit: 'ops',
          min: 0
        }
      ]
    },
    {
      title: 'Saga compensations: stock owed back to inventory',
      panels: [
        {
          title: 'Stock releases owed',
          shows: 'Reservations orders still has to give back at inventory (orders_stock_release_due): each recorded in the transaction that cancelled its order, made after that commit, outside any transaction (services/orders/src/saga/stock-release.ts).',
          healthy: '0, or a blip right after a cancellation.',
          broken: 'rising while inventory is down (cancellations still commit at once); falling back to 0 once inventory answers again.',
          queries: [{ expr: 'max(orders_stock_release_due)', legend: 'owed' }],
          unit: 'short',
          min: 0,
          width: 12
        },
        {
          title: 'Stock release attempts, by outcome',
          shows: 'Releases attempted at inventory per second (orders_stock_releases_total), by outcome: released, unknown_reservation (inventory had none), failed (retried with backoff), and any refused for good.',
          healthy: 'released follows the cancelled orders; no failures.',
          broken: 'failed while inventory is unreachable, then a burst of released as the owed releases drain.',
          queries: [{ expr: sumRate(['outcome'], 'orders_stock_releases_total'), legend: '{{outcome}}' }],
          unit: 'ops',
          min: 0,
          width: 12
        }
      ]
    },
    {
      title: 'Transactional outbox',
      panels: [
        {
          title: 'Outbox rows waiting to be published',
          shows: 'Rows written in the same transaction as an order or a payment and not yet published to Kafka (outbox_backlog), per service.',
          healthy: '0 or a handful: the relay publishes within tens of milliseconds.',
          broken: 'a backlog growing while Kafka is stopped (orders are still taken: nothing is lost), draining to 0 once Kafka is back.',
          queries: [{ expr: 'max by (service) (outbox_backlog)', legend: '{{service}}' }],
          unit: 'short',
          min: 0,
          width: 8
        },
        {
          title: 'Age of the oldest unpublished row',
          shows: 'How long the oldest outbox row has been waiting (outbox_oldest_unsent_age_seconds): the delay events have at worst.',
          healthy: 'below a second.',
          broken: 'growing second by second: the relay cannot publish (Kafka down) or no instance holds the relay lock.',
          queries: [{ expr: 'max by (service) (outbox_oldest_unsent_age_seconds)', legend: '{{service}}' }],
          unit: 's',
          min: 0,
          width: 8
        },
        {
          title: 'Instances publishing the outbox (relay leader)',
          shows: 'How many instances of each service hold the relay lock and publish (outbox_relay_leader).',
          healthy: 'exactly 1 per service: one relay publishes, in commit order.',
          broken: '0: nobody publishes (the backlog grows); above 1 would mean the lock is broken and events may be published out of order.',
          queries: [{ expr: 'sum by (service) (outbox_relay_leader)', legend: '{{service}}' }],
          unit: 'short',
          min: 0,
          width: 8
        },
        {
          title: 'Outbox rows published, and failed publish attempts',
          shows: 'Rows published to Kafka per second (outbox_published_total) and failed attempts (outbox_publish_errors_total; those rows stay and are retried).',
          healthy: 'published follows the orders and payments; no failures.',
          broken: 'failures while Kafka is unreachable and nothing published; after the repair, a burst of published rows as the backlog drains.',
          queries: [
            { expr: sumRate(['service'], 'outbox_published_total'), legend: '{{service}} published' },
            { expr: sumRate(['service'], 'outbox_publish_errors_total'), legend: '{{service}} failed' }
          ],
          unit: 'ops',
          min: 0,
          width: 24
        }
      ]
    }
  ]
}
