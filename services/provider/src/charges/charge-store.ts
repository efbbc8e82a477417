import type { CallbackState, ChargeRequest, ChargeStatus, ChargeView } from '../schemas/charge.js'

/** One charge as the provider remembers it. */
export interface Charge {
  readonly chargeId: string
  readonly amountCents: number
  readonly currency: 'EUR'
  readonly callbackUrl: string
  /** The request id of the POST that created it, sent along with the callback so logs join up. */
  readonly requestId: string
  readonly createdAt: Date
  status: ChargeStatus
  reason?: 'card_declined'
  decidedAt?: Date
  callback: { state: CallbackState, attempts: number }
}

export type RegisterOutcome =
  | { kind: 'created', charge: Charge }
  /** Same chargeId, same amount, currency and callbackUrl: the caller retried. Nothing new happens. */
  | { kind: 'duplicate', charge: Charge }
  /** Same chargeId, different request: refused, the stored charge is untouched. */
  | { kind: 'mismatch', charge: Charge }

/**
 * The provider's charges, in this process's memory only: the provider stands in for a third party,
 * so there is no database to own. Consequences, on purpose and documented: a restart forgets every
 * charge (a later GET answers 404, a retried POST charges anew), and beyond `maxCharges` the oldest are
 * forgotten so a long load test cannot exhaust memory. Idempotency on chargeId holds within those bounds.
 */
export class ChargeStore {
  // A Map iterates in insertion order, so its first key is always the oldest charge.
  readonly #charges = new Map<string, Charge>()
  readonly #maxCharges: number

  constructor ({ maxCharges }: { maxCharges: number }) {
    this.#maxCharges = maxCharges
  }

  get size (): number {
    return this.#charges.size
  }

  get (chargeId: string): Charge | undefined {
    return this.#charges.get(chargeId.toLowerCase())
  }

  /** Stores a new pending charge, or tells how an existing one with this id relates to the request. */
  register (request: ChargeRequest, requestId: string): RegisterOutcome {
    const chargeId = request.chargeId.toLowerCase()
    const existing = this.#charges.get(chargeId)
    if (existing !== undefined) {
      const same = existing.amountCents === request.amountCents && existing.currency === request.currency && existing.callbackUrl === request.callbackUrl
      return { kind: same ? 'duplicate' : 'mismatch', charge: existing }
    }
    const charge: Charge = {
      chargeId,
      amountCents: request.amountCents,
      currency: request.currency,
      callbackUrl: request.callbackUrl,
      requestId,
      createdAt: new Date(),
      status: 'pending',
      callback: { state: 'not_sent', attempts: 0 }
    }
    this.#charges.set(chargeId, charge)
    this.#evictOldest()
    return { kind: 'created', charge }
  }

  /** Records the decision; a charge is decided once. */
  decide (charge: Charge, decision: { status: 'succeeded' } | { status: 'failed', reason: 'card_declined' }): void {
    if (charge.status !== 'pending') throw new Error(`charge ${charge.chargeId} is already ${charge.status}`)
    charge.status = decision.status
    if (decision.status === 'failed') charge.reason = decision.reason
    charge.decidedAt = new Date()
  }

  #evictOldest (): void {
    while (this.#charges.size > this.#maxCharges) {
      const oldest = this.#charges.keys().next()
      if (oldest.done === true) return
      this.#charges.delete(oldest.value)
    }
  }
}

/** The public view of a charge (no callbackUrl echo needed, no request id). */
export function viewCharge (charge: Charge): ChargeView {
  return {
    chargeId: charge.chargeId,
    amountCents: charge.amountCents,
    currency: charge.currency,
    status: charge.status,
    ...(charge.reason !== undefined ? { reason: charge.reason } : {}),
    createdAt: charge.createdAt.toISOString(),
    ...(charge.decidedAt !== undefined ? { decidedAt: charge.decidedAt.toISOString() } : {}),
    callback: { state: charge.callback.state, attempts: charge.callback.attempts }
  }
}
