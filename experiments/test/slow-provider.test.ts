import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 11: a slow provider, card charges outside the consumer\'s transaction (short)', () => {
  it('holds no payments transaction open while the provider answers and keeps wallet orders fast; with the switch off, both break', async () => {
    const result = await runShort('slow-provider')
    expect(result.outcome.verdicts.find((v) => v.name.startsWith('charge worker: payments sessions'))?.measured).toBe(0)
  }, 180_000)
})
