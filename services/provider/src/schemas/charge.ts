import { Type, type Static } from '@sinclair/typebox'
import { uuidSchema } from '@lab/contracts'

/** A UUID in its canonical 8-4-4-4-12 form, either case (stored lowercase). */
export const ChargeIdSchema = uuidSchema({ description: 'the caller\'s id for this charge, a UUID: also its idempotency key' })

export const ChargeStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])
export type ChargeStatus = Static<typeof ChargeStatusSchema>

export const DeclineReasonSchema = Type.Literal('card_declined')

/** POST /charges. Unknown fields are rejected (400); nothing is coerced ("12" is not 12). */
export const ChargeRequestSchema = Type.Object({
  chargeId: ChargeIdSchema,
  /** Integer cents, like every amount in the lab; at most 100 million euros. */
  amountCents: Type.Integer({ minimum: 1, maximum: 10_000_000_000 }),
  currency: Type.Literal('EUR'),
  /** Where the decision is POSTed; checked further by the route (an absolute http(s) URL). */
  callbackUrl: Type.String({ minLength: 8, maxLength: 2048, pattern: '^[hH][tT][tT][pP][sS]?://' })
}, { additionalProperties: false })
export type ChargeRequest = Static<typeof ChargeRequestSchema>

/** POST /charges answers 202 with the charge's state: 'pending' at first, the decision on a repeat. */
export const ChargeAcceptedSchema = Type.Object({
  chargeId: Type.String(),
  status: ChargeStatusSchema,
  reason: Type.Optional(DeclineReasonSchema)
})

export const CallbackStateSchema = Type.Union([
  Type.Literal('not_sent'), Type.Literal('delivering'), Type.Literal('delivered'), Type.Literal('gave_up')
])
export type CallbackState = Static<typeof CallbackStateSchema>

/** GET /charges/:chargeId: everything a caller reconciling its payments needs. */
export const ChargeSchema = Type.Object({
  chargeId: Type.String(),
  amountCents: Type.Integer(),
  currency: Type.Literal('EUR'),
  status: ChargeStatusSchema,
  reason: Type.Optional(DeclineReasonSchema),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Optional(Type.String({ format: 'date-time' })),
  callback: Type.Object({
    state: CallbackStateSchema,
    /** Delivery attempts made so far. */
    attempts: Type.Integer()
  })
})
export type ChargeView = Static<typeof ChargeSchema>

export const ChargeParamsSchema = Type.Object({ chargeId: ChargeIdSchema }, { additionalProperties: false })

/** The callback body POSTed to callbackUrl, signed (see @lab/webhook-signature). */
export const ChargeCallbackSchema = Type.Object({
  chargeId: Type.String(),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  reason: Type.Optional(DeclineReasonSchema)
})
export type ChargeCallback = Static<typeof ChargeCallbackSchema>
