import { Type } from '@sinclair/typebox'
import { uuidSchema } from '@lab/contracts'
import { STRATEGIES } from '../config.js'

/** A UUID in its canonical text form, either case (answered in lower case). */
export const UuidSchema = uuidSchema({ description: 'a UUID' })

/**
 * `x-inventory-strategy: optimistic | naive | pessimistic` picks the strategy for this one request,
 * instead of INVENTORY_STRATEGY: how the tests and the bench run the three side by side on one service.
 * A lab feature: in a real shop no client would get to choose a lost update.
 */
export const StrategyHeadersSchema = Type.Object({
  'x-inventory-strategy': Type.Optional(Type.Union(STRATEGIES.map((s) => Type.Literal(s))))
})

export const ReservationParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false })
