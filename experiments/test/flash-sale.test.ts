import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 5: flash sale, optimistic against naive (short)', () => {
  it('sells exactly the stock with optimistic locking, shows the naive variant overselling, and restores the product', async () => {
    const result = await runShort('flash-sale')
    const table = result.outcome.sideBySide?.[0]
    expect(table?.columns).toEqual(['optimistic', 'naive'])
  }, 180_000)
})
