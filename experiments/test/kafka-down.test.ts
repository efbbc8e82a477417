import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 7: Kafka stopped during checkout (short)', () => {
  it('keeps accepting orders into the outbox, drains the backlog after Kafka returns and settles every order', async () => {
    const result = await runShort('kafka-down')
    expect(result.outcome.verdicts.find((v) => v.name.startsWith('orders without a final state'))?.measured).toBe(0)
  }, 300_000)
})
