import { Type, type Static } from '@sinclair/typebox'
import { loadConfig, serviceConfigBase, postgresConfig } from '@lab/platform'
import { HousekeepingConfigSchema } from '@lab/messaging'

/**
 * Everything payments reads from its environment, validated once at boot. The shared names (HOST, PORT,
 * INSTANCE_ID, DATABASE_URL, KAFKA_BROKERS, PROVIDER_URL, PROVIDER_WEBHOOK_SECRET, PUBLIC_URL) come from
 * infra/topology.ts; the rest are the knobs of the patterns, with defaults that suit the lab.
 */
export const PaymentsConfigSchema = Type.Object({
  ...serviceConfigBase({ service: 'payments', port: 7401 }),
  ...postgresConfig('payments', { minPoolSize: 2 }),
  /** Customer wallets c-0001 … c-<n> created on the first boot (with the system wallet `merchant`). */
  SEED_WALLETS: Type.Integer({ minimum: 0, maximum: 9999, default: 1000 }),
  SEED_BALANCE_CENTS: Type.Integer({ minimum: 0, default: 100_000 }),

  KAFKA_BROKERS: Type.String({ minLength: 1, description: 'comma-separated host:port list' }),
  /** Put in front of every topic name, so test files never share a topic. */
  TOPIC_PREFIX: Type.String({ default: '' }),
  CONSUMER_GROUP: Type.String({ minLength: 1, default: 'payments' }),
  /** Attempts of one message before it goes to the dead-letter topic. */
  CONSUMER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5 }),
  /** Partitions a consumer works on at once (the lab's topics have 3); measured ~1,360 → ~2,500 messages/s. */
  CONSUMER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 3 }),
  CONSUMER_RETRY_BACKOFF_MS: Type.Integer({ minimum: 0, default: 200 }),
  /**
   * Most events applied in one transaction (one commit, one offset commit). Kept under 64: each wallet
   * charge writes inside a savepoint, and past 64 subtransactions in one transaction Postgres' per-backend
   * subtransaction cache overflows and every other session's snapshots get slower.
   * @see https://www.postgresql.org/docs/current/subxacts.html
   */
  CONSUMER_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 64, default: 50 }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 100 }),

  /** Optimistic locking on balances: attempts of one money movement before it answers 409. */
  LEDGER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 10 }),
  LEDGER_RETRY_BASE_MS: Type.Integer({ minimum: 0, default: 5 }),
  LEDGER_RETRY_MAX_MS: Type.Integer({ minimum: 0, default: 200 }),

  PROVIDER_URL: Type.String({ minLength: 1, description: 'http://host:port of the payment provider' }),
  PROVIDER_WEBHOOK_SECRET: Type.String({ minLength: 16, description: 'shared HMAC secret of the provider callbacks' }),
  /** This service's base URL as the provider sees it; empty: the address it listens on. */
  PUBLIC_URL: Type.String({ default: '' }),
  /** Callbacks older (or newer) than this are refused: replay protection. */
  WEBHOOK_TOLERANCE_SECONDS: Type.Integer({ minimum: 1, default: 300 }),
  /** One call to the provider slower than this fails (and counts against the breaker). */
  PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 2000 }),
  /** Calls per charge, the first included; between them exponential backoff with full jitter. */
  PROVIDER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  PROVIDER_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 100 }),
  PROVIDER_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 2000 }),
  /** The retry budget (switch `retry-budget`): retries at most this share of the charges in the window ... */
  PROVIDER_RETRY_BUDGET_RATIO: Type.Number({ minimum: 0, maximum: 10, default: 0.1 }),
  /**
   * ... plus this many per second whatever the traffic. Far under Finagle's 10/s: payments charges a few
   * orders per second at most against a slow provider (CHARGE_WORKER_CONCURRENCY charges at a time), and
   * a floor above that rate would let every retry through.
   */
  PROVIDER_RETRY_BUDGET_MIN_PER_SECOND: Type.Number({ minimum: 0, default: 0.1 }),
  PROVIDER_RETRY_BUDGET_WINDOW_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /** Card charges the charge worker makes at once (per replica); none holds a database connection while the provider answers. */
  CHARGE_WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
  /**
   * How long a worker's claim on a charge lasts: past it, another worker (replica) may claim the charge
   * again. Must exceed the longest charge (PROVIDER_MAX_ATTEMPTS × PROVIDER_TIMEOUT_MS plus the backoff
   * between them; checked at boot), so only a crashed or hung worker loses its claim.
   */
  CHARGE_LEASE_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  /**
   * Claims of one charge that ask the provider. A charge still due after that many (each claim's lease
   * ran out before its settlement committed: the settlement keeps failing, or its worker keeps dying) is
   * handed to the reconciler by the next claim, without asking the provider again.
   */
  CHARGE_MAX_CLAIMS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** The worker claims due charges at least this often, woken or not (a NOTIFY missed, an expired lease). */
  CHARGE_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** Every this often the reconciler asks the provider about stale pending card payments ... */
  RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 10, default: 5000 }),
  /** ... pending (no callback, or outcome unknown) for longer than this. */
  RECONCILE_AFTER_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  /** Payments checked per round at most. */
  RECONCILE_BATCH: Type.Integer({ minimum: 1, default: 100 }),
  /** The breaker around the provider opens when more than this share of calls failed (percent) ... */
  BREAKER_ERROR_THRESHOLD_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** ... among at least this many calls in its rolling window (10 s) ... */
  BREAKER_VOLUME_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** ... and lets one probe through (half-open) after this long. */
  BREAKER_RESET_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /** The sweeper of expired transfer keys, sent outbox rows and old inbox rows (@lab/messaging housekeeping.ts). */
  ...HousekeepingConfigSchema
})

export type PaymentsConfig = Readonly<Static<typeof PaymentsConfigSchema>>

export function loadPaymentsConfig (env?: Record<string, string | undefined>): PaymentsConfig {
  return loadConfig(PaymentsConfigSchema, env)
}
