import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 6: replayed Kafka events and a consumer crash mid-batch (short)', () => {
  it('charges every order exactly once, keeps every wallet equal to its ledger and counts the replays as skipped duplicates', async () => {
    const result = await runShort('replayed-events')
    expect(result.outcome.verdicts.find((v) => v.name === 'orders with two or more charges')?.measured).toBe(0)
  }, 600_000)
})
