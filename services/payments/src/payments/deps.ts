import type pg from 'pg'
import type { Movement, MovementResult } from '../ledger/move-money.js'
import type { ProviderClient } from '../provider/provider-client.js'
import type { TopicNames } from '../events.js'
import type { PaymentsMetrics } from '../metrics.js'
import type { SwitchSet } from '@lab/platform'
import type { PaymentsPattern } from '../patterns.js'

/** What the payment steps need, bound once in plugins/payments.ts (and built by tests the same way). */
export interface PaymentDeps {
  moveMoney: (client: pg.ClientBase, movement: Movement) => Promise<MovementResult>
  provider: ProviderClient
  /** Where the provider posts its decision: this service's POST /provider-callbacks. */
  callbackUrl: () => string
  topics: TopicNames
  metrics: PaymentsMetrics
  /** The pattern switches the steps and routes follow (idempotent-consumer, idempotency-key, ...). */
  switches: SwitchSet<PaymentsPattern>
}

/** The system wallet charges pay into and refunds come out of. */
export const MERCHANT_WALLET = 'merchant'
