import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 1: cache-aside under skewed load (short)', () => {
  it('serves at least 90% of skewed reads from Redis after warm-up, at most 0.1 database reads per request, hits 5× faster than misses', async () => {
    const result = await runShort('cache-aside')
    expect(result.outcome.verdicts.map((v) => v.name)).toContain('p50 of misses / p50 of hits')
  }, 180_000)
})
