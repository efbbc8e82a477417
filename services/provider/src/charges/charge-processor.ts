import type { FastifyBaseLogger } from 'fastify'
import type { ProviderMetrics } from '../metrics.js'
import type { FaultSwitch } from '../faults.js'
import type { CallbackSender } from '../callbacks/callback-sender.js'
import type { Charge, ChargeStore } from './charge-store.js'

export interface ChargeProcessorOptions {
  store: ChargeStore
  faults: FaultSwitch
  callbacks: CallbackSender
  /** Time from accepting a charge to deciding it. */
  processingDelayMs: number
  metrics: ProviderMetrics
  log: FastifyBaseLogger
}

/**
 * The provider's back office: a charge accepted with 202 is decided a little later (the card network
 * answering), succeeded or failed by the declineRate knob, and the decision goes to the caller's
 * callbackUrl. Asynchronous on purpose: the caller cannot learn the outcome from the POST, only from
 * the signed callback (or by asking, GET /charges/:chargeId), as with real card providers.
 */
export class ChargeProcessor {
  readonly #opts: ChargeProcessorOptions
  readonly #timers = new Set<NodeJS.Timeout>()

  constructor (opts: ChargeProcessorOptions) {
    this.#opts = opts
  }

  /** Schedules the decision of a newly accepted charge (once per charge: duplicates are not scheduled). */
  schedule (charge: Charge): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      this.#decide(charge)
    }, this.#opts.processingDelayMs)
    this.#timers.add(timer)
  }

  /** Drops the decisions not yet made (the charges stay pending: a restart forgets them anyway). */
  close (): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #decide (charge: Charge): void {
    const { store, faults, callbacks, metrics, log } = this.#opts
    if (faults.roll('declineRate')) {
      store.decide(charge, { status: 'failed', reason: 'card_declined' })
      metrics.charges.inc({ outcome: 'failed' })
    } else {
      store.decide(charge, { status: 'succeeded' })
      metrics.charges.inc({ outcome: 'succeeded' })
    }
    log.info({ chargeId: charge.chargeId, status: charge.status, reason: charge.reason, reqId: charge.requestId }, 'charge decided')
    callbacks.send(charge)
  }
}
