import type { DashboardSpec } from '../dashboard.js'
import { p99, sumIncrease, sumRate } from '../promql.js'
import { BREAKER_STATES } from './shared-panels.js'

/** packages/platform/src/breaker.ts, around every upstream, Redis, inventory and the provider. */
export const circuitBreakers: DashboardSpec = {
  slug: 'circuit-breakers',
  title: 'Pattern — circuit breakers',
  description: 'Every circuit breaker of the lab (gateway → upstreams and Redis, catalog → Redis, orders → inventory, payments → provider), the calls they refuse, and the flaky provider behind the payments breaker. Pages: docs/patterns/circuit-breaker.md, retries-with-backoff.md, load-balancing.md.',
  tags: ['pattern', 'circuit-breaker'],
  rows: [
    {
      title: 'Breakers',
      panels: [
        {
          kind: 'state',
          title: 'State of every breaker',
          shows: 'Each breaker over time, per service and the dependency it guards: closed (calls go through), open (calls refused at once), half-open (one probe call allowed).',
          healthy: 'all closed; when you break a dependency its breaker opens within a few failed calls, turns half-open after its reset timeout and closes on the first successful probe.',
          broken: 'a breaker open with its dependency healthy (it never closes again), or one that stays closed while its dependency fails (callers wait for every timeout).',
          queries: [{ expr: 'max by (job, breaker) (circuit_breaker_state)', legend: '{{job}} → {{breaker}}' }],
          valueTexts: BREAKER_STATES,
          width: 24,
          height: 10
        },
        {
          title: 'Breaker state changes',
          shows: 'Transitions of each breaker, by the state entered (open, half_open, closed), per scrape interval.',
          healthy: 'nothing; while a dependency is broken: one open, then half_open and open again every reset timeout until it recovers, then closed.',
          broken: 'a breaker flapping open and closed many times a minute: its thresholds are too tight for the dependency\'s normal errors.',
          queries: [{ expr: sumIncrease(['job', 'breaker', 'to'], 'circuit_breaker_transitions_total', '$__rate_interval'), legend: '{{job}} → {{breaker}}: {{to}}' }],
          unit: 'short',
          min: 0
        },
        {
          title: 'Calls refused by an open breaker',
          shows: 'Calls each breaker refused per second without trying them (circuit_breaker_rejected_total): the failing fast.',
          healthy: '0 while everything answers.',
          broken: 'the traffic to a broken dependency, refused in microseconds instead of waiting for its timeout: this is the breaker working. Refusals with the dependency healthy mean it is stuck open.',
          queries: [{ expr: sumRate(['job', 'breaker'], 'circuit_breaker_rejected_total'), legend: '{{job}} → {{breaker}}' }],
          unit: 'ops',
          min: 0
        }
      ]
    },
    {
      title: 'Payments → provider (breaker, retries with backoff)',
      panels: [
        {
          title: 'Calls to the payment provider, by result',
          shows: 'Charges payments sent to the provider per second (payments_provider_calls_total): accepted, rejected (4xx), error (5xx, network, timeout) or breaker_open (refused without calling).',
          healthy: 'accepted for every card payment; a few errors absorbed by retries.',
          broken: 'errors, then breaker_open once the breaker trips (e.g. after PUT 127.0.0.1:7501/admin/faults {"errorRate":1}); card orders are then cancelled and their stock released.',
          queries: [{ expr: sumRate(['result'], 'payments_provider_calls_total'), legend: '{{result}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Provider calls retried',
          shows: 'Calls to the provider made again after a failed one, per second (payments_provider_retries_total), by outcome: allowed (each waits an exponential backoff with full jitter) or denied_budget (the retry budget was spent: not made).',
          healthy: 'rare: only the provider\'s occasional errors.',
          broken: 'as many retries as calls (the provider fails every time) until the retry budget (10% of the charges) denies them; once the breaker is open the retries stop, so a dead provider is not hammered.',
          queries: [{ expr: sumRate(['outcome'], 'payments_provider_retries_total'), legend: '{{outcome}}' }],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Time to get a charge to the provider (p99), by result',
          shows: 'The time under which 99% of charges got their answer, retries and backoff included (payments_provider_charge_duration_seconds).',
          healthy: 'milliseconds for accepted charges.',
          broken: 'seconds for retries_exhausted (the provider is failing and every attempt is waited for), while breaker_open stays near 0: failing fast.',
          queries: [{ expr: p99(['result'], 'payments_provider_charge_duration_seconds_bucket'), legend: '{{result}}' }],
          unit: 's',
          min: 0,
          width: 8
        },
        {
          title: 'Provider fault knobs',
          shows: 'The provider\'s current fault settings (provider_faults): error_rate and decline_rate (0 to 1) and latency_ms.',
          healthy: 'all 0: the provider answers at once and never fails.',
          broken: 'a knob above 0 is a fault someone switched on (PUT 127.0.0.1:7501/admin/faults); DELETE on the same URL puts them back.',
          queries: [{ expr: 'max by (knob) (provider_faults)', legend: '{{knob}}' }],
          unit: 'short',
          min: 0
        },
        {
          title: 'Card payments by outcome',
          shows: 'Payments reaching a final state per second (payments_total), by method and outcome.',
          healthy: 'succeeded for wallet and card payments.',
          broken: 'card payments failing (provider_unavailable) while the provider is broken; wallet payments keep succeeding: the breaker isolates the failure.',
          queries: [{ expr: sumRate(['method', 'outcome'], 'payments_total'), legend: '{{method}} {{outcome}}' }],
          unit: 'ops',
          min: 0
        }
      ]
    },
    {
      title: 'Payments → provider: the charge worker (no transaction open while the provider answers)',
      panels: [
        {
          title: 'Card charges due',
          shows: 'Card charges the consumer recorded and no worker has made yet (payments_charges_due, read from payments\' database): waiting for a worker, or claimed (being made now).',
          healthy: 'near 0: the worker, woken by the consumer\'s NOTIFY, claims each charge within milliseconds; claimed follows the card orders in flight at the provider.',
          broken: 'waiting growing: the worker is stopped, or the provider is so slow that CHARGE_WORKER_CONCURRENCY charges are always in flight (the queue, not a held transaction: wallet orders are unaffected).',
          queries: [{ expr: 'max by (state) (payments_charges_due)', legend: '{{state}}' }],
          unit: 'short',
          min: 0,
          width: 8
        },
        {
          title: 'Charges made by the worker, by outcome',
          shows: 'Card charges the worker made per second (payments_charge_outcomes_total): accepted (pending until the callback), rejected, unavailable, unknown (for the reconciler), superseded (settled meanwhile, nothing written), handed_to_reconciler (claimed CHARGE_MAX_CLAIMS times without settling); and charges claimed again after a claim\'s lease expired.',
          healthy: 'accepted for every card order; no claims again.',
          broken: 'claimed again: a worker crashed or hung with a charge (its lease expired); unavailable while the provider fails; handed_to_reconciler: a charge\'s settlement keeps failing (see the worker\'s error logs).',
          queries: [
            { expr: sumRate(['outcome'], 'payments_charge_outcomes_total'), legend: '{{outcome}}' },
            { expr: sumRate([], 'payments_charge_claims_total{claim="again"}'), legend: 'claimed again' }
          ],
          unit: 'ops',
          min: 0,
          width: 8
        },
        {
          title: 'Wait before a worker claims a charge (p99)',
          shows: 'The time under which 99% of card charges were claimed after the consumer recorded them (payments_charge_wait_seconds): the queue in front of the provider.',
          healthy: 'milliseconds.',
          broken: 'seconds: every worker slot is busy with a slow provider; the charges queue in the database, and nothing else waits for them.',
          queries: [{ expr: p99([], 'payments_charge_wait_seconds_bucket'), legend: 'p99' }],
          unit: 's',
          min: 0,
          width: 8
        }
      ]
    },
    {
      title: 'Gateway upstreams',
      panels: [
        {
          title: 'Gateway requests to upstreams, by outcome',
          shows: 'Requests the gateway sent to each upstream per second (gateway_upstream_requests_total), by outcome: response, error or timeout.',
          healthy: 'response only.',
          broken: 'errors or timeouts for one upstream (it is down or slow); its breaker opens soon after and the gateway answers 503 at once.',
          queries: [{ expr: sumRate(['upstream', 'outcome'], 'gateway_upstream_requests_total'), legend: '{{upstream}} {{outcome}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          title: 'Replicas in rotation, per upstream',
          shows: 'How many replicas of each upstream pass the gateway\'s active health checks (gateway_upstream_replica_healthy).',
          healthy: '2 for the catalog, 1 for each checkout service.',
          broken: 'one fewer while a replica is stopped: the other takes its traffic; 0 means the gateway answers 503 for that upstream.',
          queries: [{ expr: 'sum by (upstream) (gateway_upstream_replica_healthy)', legend: '{{upstream}}' }],
          unit: 'short',
          min: 0
        }
      ]
    }
  ]
}
