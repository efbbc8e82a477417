import { Type } from '@sinclair/typebox'

const errorRate = Type.Number({ minimum: 0, maximum: 1, description: 'share of POST /charges answered 503 PROVIDER_UNAVAILABLE' })
const latencyMs = Type.Integer({ minimum: 0, maximum: 30_000, description: 'milliseconds added before POST /charges answers' })
const declineRate = Type.Number({ minimum: 0, maximum: 1, description: 'share of charges decided failed (card_declined)' })

export const FaultsSchema = Type.Object({ errorRate, latencyMs, declineRate })

/** PUT /admin/faults: the knobs given change, the others keep their value. */
export const FaultsUpdateSchema = Type.Object({
  errorRate: Type.Optional(errorRate),
  latencyMs: Type.Optional(latencyMs),
  declineRate: Type.Optional(declineRate)
}, { additionalProperties: false })
