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

/**
 * The same answer to every signed, well-formed callback, whatever became of it (applied, a repeat,
 * rejected, left unverified): the provider only needs a 2xx to stop delivering, and a sender holding
 * a leaked secret learns nothing about payments from it.
 */
export const CallbackResultSchema = Type.Object({
  received: Type.Literal(true)
})
