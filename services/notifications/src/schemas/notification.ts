import { Type, type Static } from '@sinclair/typebox'
import { uuidSchema } from '@lab/contracts'

/** Notification ids are the event ids they came from: uuids. Matched as strings, so a bad one is a 400. */
export const UuidSchema = uuidSchema({ description: 'a uuid' })

export const NotificationSchema = Type.Object({
  /** The id of the event it was made from (so a redelivered event cannot make a second one). */
  id: UuidSchema,
  /** The event type, e.g. `orders.confirmed.v1`. */
  type: Type.String(),
  /** The event's partition key (the order id for checkout events; the alert's name for alerts). */
  key: Type.String(),
  /** null for an alert (POST /alerts): it is about the lab, not an order. */
  orderId: Type.Union([Type.String(), Type.Null()]),
  /** email: a customer's; ops: an alert from Alertmanager, for whoever runs the lab. */
  channel: Type.Union([Type.Literal('email'), Type.Literal('ops')]),
  /** What the customer reads, e.g. "Order 0b9c1f3e… confirmed" (or an alert's status and summary). */
  message: Type.String(),
  /** The event's data, as received. */
  payload: Type.Unknown(),
  /** The HTTP request that caused the event, to follow one purchase through the logs. */
  requestId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' })
})
export type Notification = Static<typeof NotificationSchema>

export const NotificationParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })

export const NotificationListQuerySchema = Type.Object({
  orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** 1..100, default 20. */
  limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: 'page size: 1..100' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 }))
}, { additionalProperties: false })

export const NotificationListSchema = Type.Object({
  /** Newest first. */
  items: Type.Array(NotificationSchema),
  /** Opaque; pass it back as `cursor` for the next (older) page. null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()])
})
