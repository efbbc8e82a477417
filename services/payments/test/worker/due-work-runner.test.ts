import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { DueWorkRunner, type DueWorkRunnerOptions } from '../../src/worker/due-work-runner.js'

/** A port nothing listens on: the runner's LISTEN connection is refused at once, and it runs on its sweep and its slots. */
let refusedUrl: string
const runners: Array<DueWorkRunner<number>> = []

beforeAll(async () => {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  refusedUrl = `postgres://nobody@127.0.0.1:${port}/none`
})

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop()
})

/** A runner over a queue of numbers: `claim` takes from its front; the test decides how `handle` ends. */
function runner (queue: number[], options: Partial<DueWorkRunnerOptions<number>> & Pick<DueWorkRunnerOptions<number>, 'handle'>): { runner: DueWorkRunner<number>, claims: number[] } {
  const claims: number[] = []
  const r = new DueWorkRunner<number>({
    claim: async (limit) => { claims.push(limit); return queue.splice(0, limit) },
    concurrency: 3,
    channel: 'lab_test_due_work',
    connectionString: refusedUrl,
    applicationName: 'due-work-runner-test',
    // Long: whatever happens within a test comes from a freed slot, not from the sweep.
    sweepIntervalMs: 60_000,
    log: pino({ level: 'silent' }),
    ...options
  })
  runners.push(r)
  return { runner: r, claims }
}

describe('DueWorkRunner', () => {
  it('holds at most `concurrency` items at once, and a freed slot claims the next at once', async () => {
    const queue = Array.from({ length: 10 }, (_, i) => i)
    const done: number[] = []
    let inHand = 0
    let most = 0
    const { runner: r } = runner(queue, {
      handle: async (item) => {
        most = Math.max(most, ++inHand)
        await sleep(20)
        inHand--
        done.push(item)
      }
    })
    r.start()
    for (let waited = 0; done.length < 10 && waited < 5000; waited += 10) await sleep(10)
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(most).toBe(3)
  })

  it('stops claiming at stop(), and stop() waits for the items in hand', async () => {
    const finished: number[] = []
    const { runner: r, claims } = runner([1, 2, 3, 4, 5], {
      concurrency: 2,
      handle: async (item) => { await sleep(100); finished.push(item) }
    })
    r.start()
    await sleep(30)
    await r.stop()
    expect(finished.sort()).toEqual([1, 2])
    const claimsAtStop = claims.length
    await sleep(150)
    expect(claims).toHaveLength(claimsAtStop)
  })

  it('keeps going when a claim fails (retried after a backoff) or an item\'s work throws', async () => {
    let failures = 1
    const handled: number[] = []
    const queue = [1, 2]
    const r = new DueWorkRunner<number>({
      claim: async (limit) => {
        if (failures-- > 0) throw new Error('database unreachable')
        return queue.splice(0, limit)
      },
      handle: async (item) => {
        handled.push(item)
        if (item === 1) throw new Error('this one fails')
      },
      concurrency: 1,
      channel: 'lab_test_due_work',
      connectionString: refusedUrl,
      applicationName: 'due-work-runner-test',
      sweepIntervalMs: 60_000,
      log: pino({ level: 'silent' })
    })
    runners.push(r)
    r.start()
    for (let waited = 0; handled.length < 2 && waited < 5000; waited += 10) await sleep(10)
    expect(handled).toEqual([1, 2])
  })
})
