import type { DashboardSpec } from '../dashboard.js'
import { sumRate } from '../promql.js'

/** services/inventory/src/stock/ and services/payments/src/ledger/: version columns, bounded retries. */
export const optimisticLocking: DashboardSpec = {
  slug: 'optimistic-locking',
  title: 'Pattern — optimistic locking (inventory, payments)',
  description: 'Version conflicts, retries and give-ups of the conditional UPDATEs on stock rows and wallet balances, with the oversell gauge that must stay 0. Page: docs/patterns/optimistic-locking.md.',
  tags: ['pattern', 'optimistic-locking'],
  rows: [
    {
      title: 'Conflicts and retries',
      panels: [
        {
          title: 'Version conflicts per second, by service',
          shows: 'Conditional writes (UPDATE ... WHERE version = $v) that matched no row because another writer changed the row first (optimistic_lock_conflicts_total).',
          healthy: '0 with spread-out traffic; some conflicts when many buyers hit one product (a flash sale) or one wallet: each is retried.',
          broken: 'conflicts rising with the load on one hot row until retries run out (the next panels): the row is too contended for optimistic locking.',
          queries: [{ expr: sumRate(['service'], 'optimistic_lock_conflicts_total'), legend: '{{service}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Writes retried after a conflict',
          shows: 'Writes tried again after a jittered backoff following a conflict (optimistic_lock_retries_total).',
          healthy: 'about as many as the conflicts: each conflict costs one more try, and it succeeds.',
          broken: 'retries far above conflicts per write, or growing without bound: the same writers keep colliding (backoff too short or no jitter).',
          queries: [{ expr: sumRate(['service'], 'optimistic_lock_retries_total'), legend: '{{service}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Money movements given up after the last retry (409)',
          shows: 'Wallet updates that still conflicted at their last attempt and were answered 409 (optimistic_lock_exhausted_total).',
          healthy: '0: the bounded retries were enough.',
          broken: 'above 0 under heavy contention on one wallet: the client gets a 409 and may retry; no money moved twice or was lost.',
          queries: [{ expr: sumRate(['service'], 'optimistic_lock_exhausted_total'), legend: '{{service}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        }
      ]
    },
    {
      title: 'Stock reservations',
      panels: [
        {
          title: 'Reservations by strategy and outcome',
          shows: 'Stock reservations per second (inventory_reservations_total) by strategy (optimistic, pessimistic, naive) and outcome: reserved, out_of_stock, conflict (gave up), replayed (an id seen before).',
          healthy: 'reserved with the optimistic strategy (the lab\'s default); out_of_stock once a product is sold out; conflict rare.',
          broken: 'conflict growing (retries exhausted on a hot row); with the naive strategy, reserved keeps going past the stock (see the oversell panel).',
          queries: [{ expr: sumRate(['strategy', 'outcome'], 'inventory_reservations_total'), legend: '{{strategy}} {{outcome}}' }],
          unit: 'ops',
          min: 0,
          width: 16
        },
        {
          kind: 'stat',
          title: 'Units sold beyond the stock (must stay 0)',
          shows: 'Units reserved beyond the units that exist, summed over all products (inventory_oversold_units, measured at each scrape).',
          healthy: '0, whatever the load: the optimistic and pessimistic strategies never lose an update.',
          broken: 'above 0 only after lost updates: the naive read-modify-write strategy (x-inventory-strategy: naive) under concurrent buyers.',
          queries: [{ expr: 'max(inventory_oversold_units)', legend: 'oversold units' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'red']],
          width: 8
        },
        {
          title: 'Ledger movements by kind',
          shows: 'Money movements committed to the payments ledger per second (ledger_movements_total): transfer, charge, refund; each updates wallet balances under optimistic locking.',
          healthy: 'charges follow the wallet orders, transfers follow POST /payments/transfers.',
          broken: 'movements stopping while orders are placed (payments stuck: see the Kafka consumers dashboard), or refunds without cancelled orders.',
          queries: [{ expr: sumRate(['kind'], 'ledger_movements_total'), legend: '{{kind}}' }],
          unit: 'ops',
          min: 0,
          width: 24
        }
      ]
    }
  ]
}
