export { UUID_PATTERN, uuidSchema } from './uuid.js'
export { ORDERS_PLACED, ORDERS_CONFIRMED, ORDERS_CANCELLED, PAYMENTS_SUCCEEDED, PAYMENTS_FAILED, CHECKOUT_TOPICS, type CheckoutTopic } from './topics.js'
export { deadLetterTopic, isDeadLetterTopic } from './dead-letter.js'
export { ProductIdNumberSchema, ReserveBodySchema, ReservationSchema, type ReserveBody, type Reservation } from './reservation.js'
export {
  OrderPlacedSchema, OrderConfirmedSchema, OrderCancelledSchema, PaymentSucceededSchema, PaymentFailedSchema,
  CHECKOUT_EVENT_SCHEMAS, checkEventData,
  type OrderPlaced, type OrderConfirmed, type OrderCancelled, type PaymentSucceeded, type PaymentFailed,
  type CheckoutEventData, type EventDataCheck
} from './checkout-events.js'
