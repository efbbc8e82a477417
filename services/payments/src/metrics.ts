import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { createBreakerMetrics, createOptimisticLockMetrics } from '@lab/platform'
import { createIdempotencyMetrics } from '@lab/idempotency'

export const PAYMENT_METHODS = ['wallet', 'card'] as const
export const PAYMENT_OUTCOMES = ['succeeded', 'failed', 'refunded'] as const
export const FAILURE_REASONS = ['insufficient_funds', 'unknown_wallet', 'provider_unavailable', 'provider_rejected', 'card_declined', 'other'] as const

/** A failure reason as a metric label: one of the known ones, else 'other' (the label set stays closed). */
export function reasonLabel (reason: string): string {
  return (FAILURE_REASONS as readonly string[]).includes(reason) ? reason : 'other'
}
export const RECONCILE_RESULTS = ['succeeded', 'failed', 'not_found', 'pending', 'unreachable', 'unchanged', 'error'] as const
export const LEDGER_OPERATIONS = ['transfer', 'charge', 'refund'] as const

/**
 * Payments' own metric families, on the injected registry. Labels are closed sets (methods, outcomes,
 * reasons), never ids. The messaging families (outbox_*, consumer_*, dlq_*) are registered by
 * @lab/messaging on the same registry.
 */
export function createPaymentsMetrics (registry: Registry) {
  const registers = [registry]
  const metrics = {
    /** The lab's `circuit_breaker_*` family; payments' one breaker is `provider`. */
    breakers: createBreakerMetrics(registry),
    payments: new Counter({
      name: 'payments_total',
      help: 'Payments that reached a final state, by method (wallet, card) and outcome (succeeded, failed, refunded)',
      labelNames: ['method', 'outcome'] as const,
      registers
    }),
    failures: new Counter({
      name: 'payments_failed_total',
      help: 'Failed payments by method and reason (insufficient_funds, provider_unavailable, card_declined, ...)',
      labelNames: ['method', 'reason'] as const,
      registers
    }),
    // The lab-wide families (inventory has them too), told apart by `service`.
    optimisticLock: createOptimisticLockMetrics(registry, 'payments'),
    lockExhausted: new Counter({
      name: 'optimistic_lock_exhausted_total',
      help: 'Money movements given up after the last attempt still conflicted (answered 409)',
      labelNames: ['service'] as const,
      registers
    }),
    ...createProviderCallMetrics(registers),
    ...createCallbackMetrics(registers),
    reconciled: new Counter({
      name: 'payments_reconciled_total',
      help: 'Stale pending card payments checked with the provider (GET /charges/:id) by result: succeeded, failed (declined), not_found (failed provider_unavailable), pending (undecided), unreachable (retried next round), unchanged (settled meanwhile)',
      labelNames: ['result'] as const,
      registers
    }),
    /** idempotent_replays_total{service="payments"}: POST /transfers answered from its Idempotency-Key (orders counts in the same family). */
    idempotentReplays: createIdempotencyMetrics(registry, 'payments').replays,
    ledgerMoves: new Counter({
      name: 'ledger_movements_total',
      help: 'Money movements committed to the ledger by kind (transfer, charge, refund)',
      labelNames: ['kind'] as const,
      registers
    })
  }
  // Every series exists from the start (at 0), so rate() and dashboards work before the first event.
  for (const method of PAYMENT_METHODS) {
    for (const outcome of PAYMENT_OUTCOMES) metrics.payments.inc({ method, outcome }, 0)
    for (const reason of FAILURE_REASONS) metrics.failures.inc({ method, reason }, 0)
  }
  metrics.lockExhausted.inc({ service: 'payments' }, 0)
  for (const result of RECONCILE_RESULTS) metrics.reconciled.inc({ result }, 0)
  for (const kind of LEDGER_OPERATIONS) metrics.ledgerMoves.inc({ kind }, 0)
  return metrics
}

/** The calls to the payment provider: their results, their retries and backoff, each charge's whole time. */
function createProviderCallMetrics (registers: Registry[]) {
  const metrics = {
    providerCalls: new Counter({
      name: 'payments_provider_calls_total',
      help: 'Calls to the payment provider by result: accepted, rejected (4xx), error (5xx, network, timeout), breaker_open (refused without calling)',
      labelNames: ['result'] as const,
      registers
    }),
    providerRetries: new Counter({
      name: 'payments_provider_retries_total',
      help: 'Retries of a failed call to the payment provider by outcome: allowed (made again; at most PROVIDER_MAX_ATTEMPTS - 1 per charge), denied_budget (the retry budget was spent: the charge failed with its last error)',
      labelNames: ['outcome'] as const,
      registers
    }),
    providerRetryDelay: new Histogram({
      name: 'payments_provider_retry_delay_seconds',
      help: 'Backoff waited before each retry of a provider call (exponential, full jitter)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers
    }),
    providerChargeDuration: new Histogram({
      name: 'payments_provider_charge_duration_seconds',
      help: 'Time to get one charge to the provider, retries and backoff included, by result: accepted, rejected, breaker_open (failed fast), retries_exhausted, unknown (unanswered: left pending)',
      labelNames: ['result'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })
  }
  for (const result of ['accepted', 'rejected', 'error', 'breaker_open']) metrics.providerCalls.inc({ result }, 0)
  for (const outcome of ['allowed', 'denied_budget']) metrics.providerRetries.inc({ outcome }, 0)
  return metrics
}

/**
 * What became of a signed provider callback (payments/verify-callback.ts): applied (the provider
 * confirmed it), already_final (a repeat), unverified (the provider could not be asked: left to the
 * reconciler), rejected_not_ours (no charge of ours), rejected_contradicted (the provider says otherwise).
 */
export const CALLBACK_OUTCOMES = ['applied', 'already_final', 'unverified', 'rejected_not_ours', 'rejected_contradicted'] as const

/** Signed provider callbacks by outcome: a rejected one is a forgery, a leaked secret or a provider bug. */
function createCallbackMetrics (registers: Registry[]) {
  const callbacks = new Counter({
    name: 'payments_provider_callbacks_total',
    help: 'Signed provider callbacks by outcome: applied (confirmed by GET /charges/:id), already_final, unverified (provider unreachable: the reconciler settles), rejected_not_ours (no charge payments made), rejected_contradicted (the provider disagrees: nothing changed)',
    labelNames: ['outcome'] as const,
    registers
  })
  for (const outcome of CALLBACK_OUTCOMES) callbacks.inc({ outcome }, 0)
  return { callbacks }
}

export type PaymentsMetrics = ReturnType<typeof createPaymentsMetrics>

/**
 * What became of a charge the worker claimed: the provider's answer applied, superseded (nothing
 * written), or handed to the reconciler (claimed CHARGE_MAX_CLAIMS times already, the provider not asked again).
 */
export const CHARGE_OUTCOMES = ['accepted', 'rejected', 'unavailable', 'unknown', 'superseded', 'handed_to_reconciler'] as const

/**
 * The charge worker's families (payments/charge-worker.ts), on the same registry. `countDue` reads the
 * due charges from the database at each scrape, so the gauge is right whichever replica made them and
 * even while no worker runs.
 */
export function createChargeWorkerMetrics (registry: Registry, countDue: () => Promise<{ waiting: number, claimed: number }>) {
  const registers = [registry]
  const metrics = {
    due: new Gauge({
      name: 'payments_charges_due',
      help: 'Card charges recorded by the consumer and not made yet, by state: waiting (for a worker: never claimed, or its claim\'s lease expired) or claimed (a worker is making it now)',
      labelNames: ['state'] as const,
      registers,
      async collect () {
        try {
          const due = await countDue()
          this.set({ state: 'waiting' }, due.waiting)
          this.set({ state: 'claimed' }, due.claimed)
        } catch { /* the database unreachable: the last values stay */ }
      }
    }),
    inFlight: new Gauge({
      name: 'payments_charge_worker_in_flight',
      help: 'Charges this instance\'s worker holds now (claimed, the provider asked, the answer being settled); at most CHARGE_WORKER_CONCURRENCY',
      registers
    }),
    claims: new Counter({
      name: 'payments_charge_claims_total',
      help: 'Due card charges claimed by a worker: first, or again (an earlier claim\'s lease expired: its worker crashed or hung)',
      labelNames: ['claim'] as const,
      registers
    }),
    outcomes: new Counter({
      name: 'payments_charge_outcomes_total',
      help: 'Card charges the worker claimed, by outcome: accepted (pending until the callback), rejected, unavailable (both failed), unknown (pending for the reconciler), superseded (settled or claimed again meanwhile: nothing written), handed_to_reconciler (claimed CHARGE_MAX_CLAIMS times without settling: the reconciler asks the provider)',
      labelNames: ['outcome'] as const,
      registers
    }),
    wait: new Histogram({
      name: 'payments_charge_wait_seconds',
      help: 'Time from a card charge recorded (the consumer\'s commit) to a worker claiming it: the queue in front of the provider',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    }),
    duration: new Histogram({
      name: 'payments_charge_worker_duration_seconds',
      help: 'One claimed charge in the worker, from its claim to its settlement committed: the provider\'s answer included, no transaction open while waiting for it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })
  }
  for (const claim of ['first', 'again']) metrics.claims.inc({ claim }, 0)
  for (const outcome of CHARGE_OUTCOMES) metrics.outcomes.inc({ outcome }, 0)
  return metrics
}

export type ChargeWorkerMetrics = ReturnType<typeof createChargeWorkerMetrics>
