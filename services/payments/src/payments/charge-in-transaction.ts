import type pg from 'pg'
import type { MessagingLogger } from '@lab/messaging'
import type { Payment } from '../db/payments.js'
import { callProvider, settleCharge } from './card-charge.js'
import type { PaymentDeps } from './deps.js'

/**
 * A card charge with the `charge-worker` switch off (picked per message in payments/order-event-handlers.ts, in
 * place of requestCardCharge): the provider is called inside the consumer's transaction, as payments
 * did before issue 12. The anti-pattern the switch shows: for the provider's whole latency (retries
 * and backoff included, seconds when it is slow) this transaction holds its pooled connection, the
 * payment's lock and the inbox rows of its batch of up to CONSUMER_BATCH_SIZE orders; every wallet
 * order of that batch (and of its partition after it) waits, and so does the offset commit.
 * Experiment 11 (slow-provider) measures it against the charge worker.
 */
export async function chargeCardInTransaction (client: pg.ClientBase, payment: Payment, log: MessagingLogger, deps: PaymentDeps): Promise<void> {
  const answer = await callProvider(payment, log, deps)
  await settleCharge(client, payment, answer, log, deps)
}
