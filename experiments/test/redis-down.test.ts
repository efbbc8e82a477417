import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 3: Redis unreachable under load (short)', () => {
  it('keeps the catalog answering without 5xx while Redis is down, opens its Redis breaker and closes it again after Redis returns', async () => {
    const result = await runShort('redis-down')
    expect(result.outcome.windows.map((w) => w.label)).toEqual(['Redis down'])
  }, 180_000)
})
