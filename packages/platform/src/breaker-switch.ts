import type { FastifyBaseLogger } from 'fastify'
import type { Breaker } from './breaker.js'
import type { SwitchSet } from './switches.js'

/**
 * A breaker's "off" variant, chosen where the breaker is wired (as inventory picks a stock strategy):
 * while its pattern switch is off, calls run straight through, with neither the breaker nor its
 * timeout, so a user sees what the breaker prevents. Calls made while off never reach opossum, so its
 * statistics window holds none of them; switched back on, the breaker starts closed, as a fresh one.
 * breaker.ts itself knows nothing of switches.
 */
export function followSwitch<N extends string> (breaker: Breaker, switches: SwitchSet<N>, pattern: N, log: FastifyBaseLogger): Breaker {
  let on = switches.enabled(pattern)
  switches.onChange(() => {
    const now = switches.enabled(pattern)
    if (now === on) return
    on = now
    if (on) breaker.reset()
    log.warn({ breaker: breaker.name, enabled: on }, 'circuit breaker switched')
  })
  return {
    name: breaker.name,
    get state () { return breaker.state },
    run: async <T>(call: () => Promise<T>) => on ? await breaker.run(call) : await call(),
    onClose: breaker.onClose,
    reset: breaker.reset,
    shutdown: breaker.shutdown
  }
}
