import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 2: stampede on a hot key (short)', () => {
  it('lets one of 500 concurrent readers of an expired hot key read PostgreSQL, and answers all of them', async () => {
    const result = await runShort('stampede')
    expect(result.outcome.verdicts.find((v) => v.name.startsWith('database reads per expiry'))?.measured).toBe(1)
  }, 180_000)
})
