import { checkEventData, type CheckoutEventData as EventData } from '@lab/contracts'
import type { EventType } from '../topics.js'
import { EventDataInvalidError } from '../errors.js'

export interface NotificationDraft {
  orderId: string
  /** A sentence a person reads: "Order 0b9c1f3e… confirmed". */
  message: string
}

/**
 * Checks an event's data against its topic's contract (@lab/contracts) and words the notification
 * for it. Throws EventDataInvalidError (naming the first bad field) for data we cannot understand.
 */
export function describeEvent (type: EventType, data: unknown): NotificationDraft {
  const checked = checkEventData(type, data)
  if (!checked.ok) throw new EventDataInvalidError(type, `${checked.path === '' ? '(data)' : checked.path} ${checked.message}`)
  return word(type, data)
}

function word (type: EventType, data: unknown): NotificationDraft {
  switch (type) {
    case 'orders.placed.v1': {
      const d = data as EventData[typeof type]
      return { orderId: d.orderId, message: `Order ${short(d.orderId)} placed: ${d.quantity} × product ${d.productId} for ${euros(d.amountCents)}, paying by ${d.paymentMethod}` }
    }
    case 'orders.confirmed.v1': {
      const d = data as EventData[typeof type]
      return { orderId: d.orderId, message: `Order ${short(d.orderId)} confirmed` }
    }
    case 'orders.cancelled.v1': {
      const d = data as EventData[typeof type]
      return { orderId: d.orderId, message: `Order ${short(d.orderId)} cancelled (${d.reason})${d.refundRequired ? '; your payment will be refunded' : ''}` }
    }
    case 'payments.succeeded.v1': {
      const d = data as EventData[typeof type]
      return { orderId: d.orderId, message: `Payment of ${euros(d.amountCents)} by ${d.method} for order ${short(d.orderId)} succeeded` }
    }
    case 'payments.failed.v1': {
      const d = data as EventData[typeof type]
      return { orderId: d.orderId, message: `Payment of ${euros(d.amountCents)} by ${d.method} for order ${short(d.orderId)} failed (${d.reason})` }
    }
  }
}

/** The first 8 characters of an id are enough for a person to recognise an order. */
function short (id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id
}

/** Integer cents to "€12.34", without going through floating point. */
export function euros (cents: number): string {
  return `€${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}
