/**
 * In-process single flight: while a load for a key is running, later callers for the same key wait for
 * that load's result instead of starting their own. It needs no Redis and costs one Map entry per key
 * being loaded, so it also protects Postgres while Redis is down (reads bypass the cache but still
 * coalesce). Across replicas, the Redis lock in cache-aside.ts does the same job.
 * @see https://pkg.go.dev/golang.org/x/sync/singleflight (the name and the idea)
 */
export class SingleFlight<V> {
  readonly #inFlight = new Map<string, Promise<V>>()

  /** `shared` is true when this caller joined a load another caller started. */
  async run (key: string, load: () => Promise<V>): Promise<{ value: V, shared: boolean }> {
    const running = this.#inFlight.get(key)
    if (running !== undefined) return { value: await running, shared: true }
    const started = load().finally(() => {
      if (this.#inFlight.get(key) === started) this.#inFlight.delete(key)
    })
    this.#inFlight.set(key, started)
    return { value: await started, shared: false }
  }

  /**
   * Callers from now on start a new load instead of joining the one under way (which may have read
   * data that just changed); callers already waiting keep its result.
   */
  forget (key: string): void {
    this.#inFlight.delete(key)
  }

  get size (): number {
    return this.#inFlight.size
  }
}
