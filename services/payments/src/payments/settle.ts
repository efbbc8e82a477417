import type pg from 'pg'
import { createEnvelope, enqueueOutbox } from '@lab/messaging'
import { setPaymentStatus, type Payment } from '../db/payments.js'
import { eventIdFor } from '../payment-id.js'
import type { PaymentFailed, PaymentSucceeded } from '@lab/contracts'
import { TOPICS } from '../events.js'
import { reasonLabel } from '../metrics.js'
import type { PaymentDeps } from './deps.js'

export type Settlement = { status: 'succeeded' } | { status: 'failed', reason: string }

/**
 * A payment reaches its final state: the row changes and its event (payments.succeeded.v1 or
 * payments.failed.v1) goes into the outbox, in the caller's transaction, so both commit or neither.
 * The event id is derived from the payment and the type: if this ever ran twice, consumers would see
 * the same id and apply it once.
 */
export async function settlePayment (client: pg.ClientBase, payment: Payment, settlement: Settlement, deps: Pick<PaymentDeps, 'topics' | 'metrics'>, attempts?: number): Promise<void> {
  const reason = settlement.status === 'failed' ? settlement.reason : null
  await setPaymentStatus(client, payment.id, { status: settlement.status, reason, attempts })
  const base: PaymentSucceeded = { orderId: payment.orderId, paymentId: payment.id, amountCents: payment.amountCents, method: payment.method }
  const [type, topic, data] = settlement.status === 'succeeded'
    ? [TOPICS.paymentsSucceeded, deps.topics.paymentsSucceeded, base]
    : [TOPICS.paymentsFailed, deps.topics.paymentsFailed, { ...base, reason: settlement.reason } satisfies PaymentFailed]
  const envelope = createEnvelope(type, payment.orderId, data, eventIdFor(payment.id, type))
  await enqueueOutbox(client, { topic, envelope, requestId: payment.requestId ?? undefined })
  deps.metrics.payments.inc({ method: payment.method, outcome: settlement.status })
  if (settlement.status === 'failed') deps.metrics.failures.inc({ method: payment.method, reason: reasonLabel(settlement.reason) })
}
