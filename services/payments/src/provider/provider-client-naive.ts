import type { RetryBudget } from '@lab/platform'
import type { RetryDelay } from './provider-client.js'

/**
 * The provider client's retry policies with a pattern switched off, picked before each retry in
 * plugins/payments.ts in place of the pattern's own (provider-client.ts).
 */

/** `retry-backoff` off: the naive policy, each retry sent at once (the same number of attempts): a retry storm. */
export const retryAtOnce: RetryDelay = () => 0

/**
 * `retry-budget` off: every failed call retries up to maxAttempts, the budget never asked. It still
 * hears of every charge, so switched back on it judges by the traffic of its whole window.
 */
export function withoutRetryBudget (budget: RetryBudget): RetryBudget {
  return { recordRequest: budget.recordRequest, usage: budget.usage, tryRetry: () => true }
}
