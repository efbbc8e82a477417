import { cacheAside } from './cache-aside.js'
import { flashSale } from './flash-sale.js'
import { kafkaDown } from './kafka-down.js'
import { providerFailing } from './provider-failing.js'
import { rateLimitBurst } from './rate-limit-burst.js'
import { redisDown } from './redis-down.js'
import { replayedEvents } from './replayed-events.js'
import { replicaKill } from './replica-kill.js'
import { retryStorm } from './retry-storm.js'
import { slowProvider } from './slow-provider.js'
import { stampedeExperiment } from './stampede.js'
import type { Experiment } from './types.js'

/** Every experiment, in issue 6's order (then 11, issue 12's); `./lab experiment all` runs them one after the other. */
export const EXPERIMENTS: Experiment[] = [cacheAside, stampedeExperiment, redisDown, providerFailing, flashSale, replayedEvents, kafkaDown, rateLimitBurst, retryStorm, replicaKill, slowProvider]

export function findExperiment (name: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.name === name || String(e.id) === name)
  if (found === undefined) throw new Error(`no experiment ${JSON.stringify(name)}: one of ${EXPERIMENTS.map((e) => e.name).join(', ')}`)
  return found
}
