import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 9: retry storm, a slow provider (short)', () => {
  it('shows the provider requests per order bounded in both policies, naive retries immediate and backoff waiting, the retry budget lowering them, and restores the switches', async () => {
    const result = await runShort('retry-storm')
    expect(result.outcome.sideBySide?.[0]?.columns).toEqual(['naive immediate retries', 'backoff with full jitter', 'backoff + retry budget'])
  }, 240_000)
})
