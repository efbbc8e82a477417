import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { uuidSchema } from '@lab/contracts'

/** The provider's decision, as it posts it (checked after the signature, on the parsed raw body). */
export const ProviderCallbackSchema = Type.Object({
  chargeId: uuidSchema(),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  reason: Type.Optional(Type.String({ maxLength: 100 }))
})
export const providerCallbackChecker = TypeCompiler.Compile(ProviderCallbackSchema)

export const CallbackHeadersSchema = Type.Object({
  'x-provider-timestamp': Type.Optional(Type.String()),
  'x-provider-signature': Type.Optional(Type.String())
})

export const CallbackResultSchema = Type.Object({
  chargeId: Type.String(),
  /** True when this callback changed the payment; false for a repeat (or a payment not written yet). */
  applied: Type.Boolean(),
  paymentStatus: Type.String()
})
