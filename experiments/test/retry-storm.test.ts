import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 9: retry storm, a slow provider (short)', () => {
  it('shows the provider requests per order bounded in both policies, naive retries immediate and backoff waiting, and restores the switches', async () => {
    const result = await runShort('retry-storm')
    expect(result.outcome.sideBySide?.[0]?.columns).toEqual(['naive immediate retries', 'backoff with full jitter'])
  }, 240_000)
})
