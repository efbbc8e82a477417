import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { backoffDelayMs } from '@lab/platform'
import type { IdempotentConsumer } from './consumer.js'

export interface ConsumerLifecycleOptions {
  /** Longest the app's start waits for the group join before it goes on without it (default 7 s, under Fastify's 10 s plugin timeout). */
  joinWaitMs?: number
  /** First delay before a failed start is tried again, doubled each time up to 30 s (default 1 s). */
  retryDelayMs?: number
  /** The app hook that stops the consumer (default onClose; preClose where the consumer must stop before other plugins close). */
  stopHook?: 'onClose' | 'preClose'
}

const MAX_RETRY_DELAY_MS = 30_000

/**
 * Starts a consumer when the app is ready and stops it when the app closes, without tying the
 * service's start to Kafka's: the join is awaited for at most `joinWaitMs`, then goes on in the
 * background, and a start that fails (Kafka unreachable) is tried again with backoff. A service
 * restarted right after a SIGKILL would otherwise not start at all: its join waits out the dead
 * member's session (30 s), past Fastify's onReady timeout. HTTP keeps answering meanwhile; what the
 * consumer has not read waits in Kafka (see kafka_consumer_lag).
 */
export function manageConsumer (app: FastifyInstance, consumer: IdempotentConsumer<any>, opts: ConsumerLifecycleOptions = {}): void {
  const { joinWaitMs = 7000, retryDelayMs = 1000, stopHook = 'onClose' } = opts
  const closing = new AbortController()
  const log = app.log.child({ component: 'consumer-lifecycle' })
  let starting: Promise<void> | undefined

  const startWithRetries = async (): Promise<void> => {
    for (let retry = 1; ; retry++) {
      const delayMs = backoffDelayMs(retry, { baseMs: retryDelayMs, maxMs: MAX_RETRY_DELAY_MS, jitter: 'none' })
      try {
        await consumer.start()
        return
      } catch (err) {
        if (closing.signal.aborted) return
        log.error({ err, delayMs }, 'kafka consumer did not start; trying again')
      }
      try {
        await sleep(delayMs, undefined, { signal: closing.signal })
      } catch {
        return
      }
    }
  }

  app.addHook('onReady', async () => {
    starting = startWithRetries()
    const waited = await Promise.race([starting.then(() => true), sleep(joinWaitMs, false)])
    if (!waited && !consumer.joined) {
      log.warn({ joinWaitMs }, 'kafka consumer still joining its group; the service starts without waiting (a member that died may hold the group until its session expires)')
    }
  })
  app.addHook(stopHook, async () => {
    closing.abort()
    await consumer.stop()
    await starting
  })
}
