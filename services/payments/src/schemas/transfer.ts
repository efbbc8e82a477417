import { Type, type Static } from '@sinclair/typebox'
import { DecimalAmountSchema, WalletIdSchema } from './wallet.js'

/** POST /transfers (with an Idempotency-Key header). */
export const TransferRequestSchema = Type.Object({
  fromWalletId: WalletIdSchema,
  toWalletId: WalletIdSchema,
  amount: DecimalAmountSchema,
  reference: Type.Optional(Type.String({ maxLength: 200 }))
}, { additionalProperties: false })
export type TransferRequest = Static<typeof TransferRequestSchema>

export const TransferSchema = Type.Object({
  transferId: Type.String(),
  fromWalletId: Type.String(),
  toWalletId: Type.String(),
  amountCents: Type.Integer(),
  amount: Type.String(),
  /** Balances right after this transfer. */
  fromBalanceCents: Type.Integer(),
  toBalanceCents: Type.Integer(),
  /** Tries it took (more than 1 after optimistic-lock conflicts). */
  attempts: Type.Integer()
})
export type Transfer = Static<typeof TransferSchema>
