import type { MessageHandler } from '@lab/messaging'
import { chargeOrder, requestCardCharge } from './charge-order.js'
import { chargeOrderAgain } from './charge-again.js'
import { chargeCardInTransaction } from './charge-in-transaction.js'
import { refundOrder } from './refund-order.js'
import type { PaymentDeps } from './deps.js'

/**
 * Payments' consumer, one handler per event type it reads: orders.placed.v1 takes the money,
 * orders.cancelled.v1 gives it back when the order asks. The teaching switches pick their "off"
 * variants here, per message, so the steps themselves stay pure:
 * - `idempotent-consumer` off: chargeOrderAgain (charge-again.ts), no one-payment-per-order guard
 *   (its inbox side is app.ts's applyAgainWhile);
 * - `charge-worker` off: the provider called inside this batch's transaction (charge-in-transaction.ts),
 *   the anti-pattern experiment 11 measures.
 */
export function orderEventHandlers (deps: PaymentDeps): Record<string, MessageHandler> {
  return {
    [deps.topics.ordersPlaced]: async (client, envelope, ctx) => {
      const charge = deps.switches.enabled('idempotent-consumer') ? chargeOrder : chargeOrderAgain
      const cardCharge = deps.switches.enabled('charge-worker') ? requestCardCharge : chargeCardInTransaction
      await charge(client, envelope, ctx, deps, cardCharge)
    },
    [deps.topics.ordersCancelled]: async (client, envelope, ctx) => { await refundOrder(client, envelope, ctx, deps) }
  }
}
