import { describe, expect, it } from 'vitest'
import { runShort, useLiveLab } from './live.js'

useLiveLab()

describe('experiment 10: a catalog replica killed under load (short)', () => {
  it('takes the killed replica out of rotation, stops the errors within the bound and serves from it again after the restart', async () => {
    const result = await runShort('replica-kill')
    expect(result.after.every((v) => v.pass)).toBe(true)
  }, 240_000)
})
