import type { SwitchDefinitions } from '@lab/platform'

/** Payments' pattern switches (GET|PUT|DELETE /admin/switches), each defined once, all on by default. */
export const PAYMENTS_SWITCHES = {
  'retry-backoff': 'exponential backoff with full jitter between provider attempts: off, naive retries, the same number of attempts sent at once (a retry storm)',
  'retry-budget': 'provider retries only while under PROVIDER_RETRY_BUDGET_RATIO of the recent charges (plus a small floor): off, every failed call retries up to PROVIDER_MAX_ATTEMPTS',
  'breaker-provider': 'the circuit breaker around the provider: off, every call goes through however many fail',
  'idempotent-consumer': 'the charge consumer\'s idempotency (its inbox check and the one-payment-per-order guard): off, every delivery of an orders.placed.v1 event charges again',
  'idempotency-key': 'the Idempotency-Key of POST /transfers: off, the key is ignored and every retry moves the money again',
  'charge-worker': 'card charges recorded in the consumer\'s transaction and made by the charge worker outside any transaction: off, the provider is called inside the consumer\'s batch transaction, which holds its connection and every order of the batch for the provider\'s latency'
} as const satisfies SwitchDefinitions
export type PaymentsPattern = keyof typeof PAYMENTS_SWITCHES
