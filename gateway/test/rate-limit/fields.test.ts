import Fastify from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { draftRateLimitFields, rateLimitField, rateLimitPolicyField, serializeSfString } from '../../src/rate-limit/fields.js'
import { draftFields } from './limited-app.js'

describe('the draft rate-limit fields', () => {
  it('writes RateLimit-Policy and RateLimit as the draft does: a String item with integer parameters', () => {
    expect(rateLimitPolicyField('token-bucket', { max: 100, windowMs: 60_000 })).toBe('"token-bucket";q=100;w=60')
    expect(rateLimitField('token-bucket', 50, 30)).toBe('"token-bucket";r=50;t=30')
  })

  it('leaves w out for a window that is not a whole number of seconds (no sub-second precision)', () => {
    expect(rateLimitPolicyField('fixed-window', { max: 5, windowMs: 1500 })).toBe('"fixed-window";q=5')
  })

  it('escapes quotes and backslashes in an sf-string and refuses what is not printable ASCII', () => {
    expect(serializeSfString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(() => serializeSfString('é')).toThrow(/not an sf-string/)
  })

  it("rewrites the plugin's RateLimit-Limit/Remaining/Reset into the draft's fields, keeps Retry-After, and leaves exempt answers alone", async () => {
    const app = Fastify()
    onTestFinished(async () => { await app.close() })
    app.addHook('onSend', draftRateLimitFields({ algorithm: 'sliding-window', max: 10, windowMs: 60_000 }))
    app.get('/limited', { config: { rateLimit: { algorithm: 'token-bucket', timeWindow: 2000 } as never } }, async (_request, reply) => {
      reply.header('ratelimit-limit', 3).header('ratelimit-remaining', 0).header('ratelimit-reset', 2).header('retry-after', 2)
      return await reply.code(429).send({ statusCode: 429 })
    })
    app.get('/default', async (_request, reply) => {
      reply.header('ratelimit-limit', 10).header('ratelimit-remaining', 9).header('ratelimit-reset', 6)
      return { ok: true }
    })
    app.get('/exempt', async () => ({ ok: true }))

    const limited = await app.inject('/limited')
    expect(limited.headers).toMatchObject({ ratelimit: '"token-bucket";r=0;t=2', 'ratelimit-policy': '"token-bucket";q=3;w=2', 'retry-after': '2' })
    expect(Object.keys(limited.headers).filter((name) => /^ratelimit-(limit|remaining|reset)$/.test(name))).toEqual([])
    expect(draftFields((await app.inject('/default')).headers)).toEqual({ policy: 'sliding-window', r: 9, t: 6, q: 10, w: 60 })
    expect(draftFields((await app.inject('/exempt')).headers)).toEqual({})
  })
})
