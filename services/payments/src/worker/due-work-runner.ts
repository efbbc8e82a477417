import pg from 'pg'
import { backoffDelayMs } from '@lab/platform'
import { Sleeper, type MessagingLogger } from '@lab/messaging'

export interface DueWorkRunnerOptions<T> {
  /** Takes up to `limit` items that are due (claimed with a lease: committed before `handle` runs). */
  claim: (limit: number) => Promise<T[]>
  /** Does one claimed item's work; its errors are logged, the item's lease then makes it due again. */
  handle: (item: T) => Promise<void>
  /** Items handled at once: a free slot claims the next due item. */
  concurrency: number
  /** A NOTIFY on this channel (new work committed) wakes the runner at once. */
  channel: string
  /** For the LISTEN connection, its own: a pooled one would be handed to queries. */
  connectionString: string
  applicationName: string
  /**
   * The safety net: a claim at least this often, NOTIFY or not (a notification missed while the
   * listener reconnected, another replica's expired lease, work due later).
   */
  sweepIntervalMs: number
  log: MessagingLogger
  /** After each claim, with the number of items in hand (for a gauge). */
  onInFlight?: (inFlight: number) => void
}

/**
 * A small due-work runner: claim what is due (up to the free slots), handle each item on its own,
 * claim again when a slot frees or a NOTIFY says new work was committed, else every `sweepIntervalMs`.
 * It owns no SQL: the claim (FOR UPDATE SKIP LOCKED with a lease) and the work are the caller's, so a
 * general job queue can replace this runner and keep them. stop() waits for the items in hand.
 */
export class DueWorkRunner<T> {
  readonly #opts: DueWorkRunnerOptions<T>
  readonly #sleeper = new Sleeper()
  readonly #inFlight = new Set<Promise<void>>()
  #running = false
  #loop: Promise<void> | undefined
  #listener: pg.Client | undefined

  constructor (options: DueWorkRunnerOptions<T>) {
    this.#opts = options
  }

  start (): void {
    this.#running = true
    this.#loop ??= this.#run()
  }

  /** No new claims; the items in hand finished; the listener closed. */
  async stop (): Promise<void> {
    this.#running = false
    this.#sleeper.interrupt()
    await this.#loop
    await Promise.all([...this.#inFlight])
    await this.#listener?.end().catch(() => {})
    this.#listener = undefined
    this.#loop = undefined
  }

  async #run (): Promise<void> {
    let failures = 0
    while (this.#running) {
      await this.#listen()
      const free = this.#opts.concurrency - this.#inFlight.size
      try {
        if (free > 0) for (const item of await this.#opts.claim(free)) this.#track(item)
        failures = 0
      } catch (err) {
        failures++
        this.#opts.log.warn({ err, failures }, 'claiming due work failed; trying again after a backoff')
      }
      this.#opts.onInFlight?.(this.#inFlight.size)
      if (!this.#running) break
      // Woken early by a NOTIFY or a freed slot, both remembered if they came while it was claiming.
      if (failures === 0) await this.#sleeper.sleep(this.#opts.sweepIntervalMs, { wakeOnNotify: true })
      else await this.#sleeper.sleep(backoffDelayMs(failures, { baseMs: 100, maxMs: this.#opts.sweepIntervalMs, jitter: 'none' }))
    }
  }

  #track (item: T): void {
    const work = this.#opts.handle(item)
      .catch((err: unknown) => { this.#opts.log.error({ err }, 'due work failed; it is due again once its lease expires') })
      .finally(() => {
        this.#inFlight.delete(work)
        this.#sleeper.wake()
      })
    this.#inFlight.add(work)
  }

  /** LISTEN, if not already: best effort, the sweep covers the time without it (retried each round). */
  async #listen (): Promise<void> {
    if (this.#listener !== undefined) return
    const { connectionString, applicationName, channel, log } = this.#opts
    const client = new pg.Client({ connectionString, application_name: applicationName, keepAlive: true, connectionTimeoutMillis: 3000 })
    client.on('notification', (msg) => { if (msg.channel === channel) this.#sleeper.wake() })
    client.on('error', (err) => {
      if (this.#listener === client) this.#listener = undefined
      if (this.#running) log.warn({ err }, 'due-work listener lost; woken by the sweep until it listens again')
      client.end().catch(() => {})
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      this.#listener = client
    } catch (err) {
      log.debug({ err }, 'due-work listener could not connect; trying again next round')
      await client.end().catch(() => {})
    }
  }
}
