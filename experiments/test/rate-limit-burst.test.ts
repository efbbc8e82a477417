import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 8: a burst at 5× the limit across two gateways (short)', () => {
  it('lets the configured 100/s through both gateways in total (within 10%) and answers the rest 429 with Retry-After', async () => {
    const result = await runShort('rate-limit-burst')
    expect(result.outcome.verdicts[0]?.measured).toBeLessThan(200 * 0.9)
  }, 180_000)
})
