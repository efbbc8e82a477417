import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 6: replayed Kafka events and a consumer crash mid-batch (short)', () => {
  it('charges every order exactly once, keeps every wallet equal to its ledger and counts the replays as skipped duplicates; with idempotent-consumer off the same replay charges again', async () => {
    const result = await runShort('replayed-events')
    expect(result.outcome.verdicts.find((v) => v.name === 'orders with two or more charges')?.measured).toBe(0)
    expect(result.outcome.verdicts.find((v) => v.name.startsWith('idempotent-consumer off'))?.measured).toBeGreaterThan(0)
    expect(result.outcome.sideBySide?.[0]?.columns).toEqual(['idempotent-consumer on', 'idempotent-consumer off'])
  }, 600_000)
})
