/**
 * An interruptible wait: `interrupt()` (stop, lost connection) ends any sleep; `wake()` (a NOTIFY)
 * ends only sleeps that asked for it, and is remembered if it arrives while nobody sleeps, so an
 * event enqueued during a publish is not left waiting for the next poll.
 */
export class Sleeper {
  #pendingWake = false
  #current: { resolve: () => void, wakeOnNotify: boolean } | undefined

  async sleep (ms: number, { wakeOnNotify = false } = {}): Promise<void> {
    if (wakeOnNotify && this.#pendingWake) {
      this.#pendingWake = false
      return
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      const current = { resolve: done, wakeOnNotify }
      this.#current = current
      function done (): void {
        clearTimeout(timer)
        resolve()
      }
    })
    this.#current = undefined
    if (wakeOnNotify) this.#pendingWake = false
  }

  wake (): void {
    if (this.#current?.wakeOnNotify === true) this.#current.resolve()
    else this.#pendingWake = true
  }

  interrupt (): void {
    this.#current?.resolve()
  }
}
