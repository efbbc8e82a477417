import { setTimeout as sleep } from 'node:timers/promises'
import { FINAL_ORDER_STATUSES, pollRequest, type LoadRequest } from '../lib/requests.js'

export interface PollerSpec {
  baseUrl: string
  intervalMs: number
  /** From the POST going out: an order not final by then is unsettled. */
  finalTimeoutMs: number
  onAnswer: (request: LoadRequest, status: number, latencyMs: number, body: string) => void
  onNoAnswer: (request: LoadRequest) => void
}

export interface Settlements {
  tracked: number
  confirmed: number
  cancelled: number
  /** Not final within finalTimeoutMs (or when the run was aborted). */
  unsettled: number
  cancelReasons: Record<string, number>
  /** POST sent → the first poll that saw the final state, ms: an upper bound, within one interval. */
  timesToFinal: number[]
}

/**
 * The checkout's second half: every placed order polled with GET /orders/:id every `intervalMs` until it
 * is confirmed or cancelled. autocannon sends a fixed list of requests at a fixed pace, so it places the
 * orders and this follows each one with fetch (Node's undici, keep-alive) on its own timer: an honest
 * per-order flow, with the polls counted and timed like every other request.
 */
export function createOrderPoller (spec: PollerSpec): { track: (orderId: string | null, sentAt: number) => void, drain: (signal?: AbortSignal) => Promise<Settlements>, pending: () => number } {
  const settlements: Settlements = { tracked: 0, confirmed: 0, cancelled: 0, unsettled: 0, cancelReasons: {}, timesToFinal: [] }
  const inFlight = new Set<Promise<void>>()
  const run = { aborted: false }

  const follow = async (orderId: string, sentAt: number): Promise<void> => {
    const request = pollRequest(orderId)
    while (!run.aborted && performance.now() - sentAt < spec.finalTimeoutMs) {
      await sleep(spec.intervalMs)
      const started = performance.now()
      try {
        const res = await fetch(`${spec.baseUrl}${request.path}`, { signal: AbortSignal.timeout(spec.finalTimeoutMs) })
        const body = await res.text()
        const at = performance.now()
        spec.onAnswer(request, res.status, at - started, body)
        if (res.status !== 200) continue
        const order = JSON.parse(body) as { status?: string, cancelReason?: string | null }
        if (!FINAL_ORDER_STATUSES.includes(String(order.status))) continue
        settlements.timesToFinal.push(at - sentAt)
        if (order.status === 'confirmed') settlements.confirmed++
        else {
          settlements.cancelled++
          const reason = order.cancelReason ?? 'no reason given'
          settlements.cancelReasons[reason] = (settlements.cancelReasons[reason] ?? 0) + 1
        }
        return
      } catch {
        spec.onNoAnswer(request)
      }
    }
    settlements.unsettled++
  }

  return {
    track: (orderId, sentAt) => {
      settlements.tracked++
      if (orderId === null) {
        settlements.unsettled++
        return
      }
      const p = follow(orderId, sentAt).finally(() => { inFlight.delete(p) })
      inFlight.add(p)
    },
    pending: () => inFlight.size,
    drain: async (signal) => {
      if (signal?.aborted === true) run.aborted = true
      signal?.addEventListener('abort', () => { run.aborted = true }, { once: true })
      while (inFlight.size > 0) await Promise.all([...inFlight])
      return settlements
    }
  }
}
