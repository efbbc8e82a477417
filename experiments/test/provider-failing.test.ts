import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 4: the provider failing every charge (short)', () => {
  it('opens the provider breaker, settles every card order fast without losing money or stock, and confirms orders again after healing', async () => {
    const result = await runShort('provider-failing')
    expect(result.outcome.verdicts.find((v) => v.name.startsWith('money conserved'))?.measured).toBe(0)
  }, 240_000)
})
