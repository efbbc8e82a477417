import { Type } from '@sinclair/typebox'

export const ConsistencySchema = Type.Object({
  totalCents: Type.Integer(),
  seededCents: Type.Integer(),
  walletsMatchingLedger: Type.Boolean(),
  mismatches: Type.Array(Type.Object({ walletId: Type.String(), balanceCents: Type.Integer(), ledgerCents: Type.Integer() })),
  unbalancedTransfers: Type.Integer()
})
