import { Type, type Static } from '@sinclair/typebox'

/** Lowercase letters, digits and dashes, e.g. `c-0042` or `merchant`; the database checks the same. */
export const WalletIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'a wallet id, e.g. c-0042' })

/**
 * Money on the way in: a decimal string ("12.34") or a JSON number (12.34), at most two decimals;
 * checked and turned into integer cents by parseAmountCents (400 PAYMENTS_INVALID_AMOUNT otherwise).
 */
export const DecimalAmountSchema = Type.Union([Type.String({ maxLength: 32 }), Type.Number()], { description: 'e.g. "12.34"' })

export const WalletParamsSchema = Type.Object({ id: WalletIdSchema }, { additionalProperties: false })

export const LedgerEntrySchema = Type.Object({
  id: Type.Integer(),
  transferId: Type.String(),
  /** Signed: a debit is negative, a credit positive. */
  amountCents: Type.Integer(),
  kind: Type.String({ description: 'seed (opening balance), transfer, charge or refund' }),
  reference: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' })
})

export const WalletSchema = Type.Object({
  id: Type.String(),
  balanceCents: Type.Integer(),
  /** The balance for people, e.g. "1000.00". */
  balance: Type.String(),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  /** Latest first. */
  recentEntries: Type.Array(LedgerEntrySchema)
})
export type Wallet = Static<typeof WalletSchema>

/**
 * POST /wallets. `initialBalance` is money created from nothing, once, at the wallet's creation (an
 * opening 'seed' ledger entry, like the seeded customers'): the lab's way to add a funded wallet.
 */
export const CreateWalletSchema = Type.Object({
  id: Type.Optional(WalletIdSchema),
  initialBalance: Type.Optional(DecimalAmountSchema)
}, { additionalProperties: false })
