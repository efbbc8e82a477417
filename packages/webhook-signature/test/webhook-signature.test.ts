import { describe, expect, it } from 'vitest'
import { signWebhook, verifyWebhookSignature } from '../src/index.js'

const secret = 'whsec_lab_test_secret'
const timestamp = 1_700_000_000
const rawBody = '{"chargeId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","status":"succeeded"}'
// Computed outside Node: printf '%s' "1700000000.$rawBody" | openssl dgst -sha256 -hmac "$secret"
const knownSignature = 'sha256=8ca0a7b27f8496b6f087f11a207269815674f2605249446af096eb9cf348c3ce'

function verify (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) {
  return verifyWebhookSignature({ secret, timestamp: String(timestamp), signature: knownSignature, rawBody, now: timestamp + 10, ...overrides })
}

describe('signWebhook', () => {
  it('matches a vector computed independently with openssl', () => {
    expect(signWebhook(secret, timestamp, rawBody)).toBe(knownSignature)
    expect(signWebhook(secret, String(timestamp), Buffer.from(rawBody))).toBe(knownSignature)
  })

  it('refuses an empty secret', () => {
    expect(() => signWebhook('', timestamp, rawBody)).toThrow(TypeError)
  })
})

describe('verifyWebhookSignature', () => {
  it('accepts a genuine delivery, given as a string or as the raw bytes', () => {
    expect(verify()).toEqual({ ok: true })
    expect(verify({ rawBody: Buffer.from(rawBody) })).toEqual({ ok: true })
    expect(verify({ signature: knownSignature.toUpperCase().replace('SHA256=', 'sha256=') })).toEqual({ ok: true })
  })

  it('accepts what signWebhook signs at the current time, with the default clock', () => {
    const now = Math.floor(Date.now() / 1000)
    expect(verifyWebhookSignature({ secret, timestamp: String(now), signature: signWebhook(secret, now, rawBody), rawBody })).toEqual({ ok: true })
  })

  it('rejects a tampered body', () => {
    expect(verify({ rawBody: rawBody.replace('succeeded', 'failed') })).toEqual({ ok: false, reason: 'mismatch' })
    // Same JSON value, different bytes: the signature covers the bytes, not the parsed object.
    expect(verify({ rawBody: JSON.stringify(JSON.parse(rawBody), null, 1) })).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('rejects a signature made with another secret', () => {
    const forged = signWebhook('not-the-secret', timestamp, rawBody)
    expect(verify({ signature: forged })).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('rejects a genuine signature moved to another timestamp', () => {
    expect(verify({ timestamp: String(timestamp + 1) })).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('rejects a delivery signed longer ago than the tolerance, or in the future beyond it', () => {
    expect(verify({ now: timestamp + 300 })).toEqual({ ok: true })
    expect(verify({ now: timestamp + 301 })).toEqual({ ok: false, reason: 'stale' })
    expect(verify({ now: timestamp - 300 })).toEqual({ ok: true })
    expect(verify({ now: timestamp - 301 })).toEqual({ ok: false, reason: 'stale' })
    expect(verify({ now: timestamp + 61, toleranceSeconds: 60 })).toEqual({ ok: false, reason: 'stale' })
  })

  it.each([
    ['no timestamp', { timestamp: undefined }],
    ['an empty timestamp', { timestamp: '' }],
    ['no signature', { signature: undefined }],
    ['an empty signature', { signature: '' }]
  ])('reports %s as missing', (_name, overrides) => {
    expect(verify(overrides)).toEqual({ ok: false, reason: 'missing' })
  })

  it.each([
    ['a timestamp that is not a number', { timestamp: 'yesterday' }],
    ['a fractional timestamp', { timestamp: '1700000000.5' }],
    ['a negative timestamp', { timestamp: '-1700000000' }],
    ['a timestamp in milliseconds beyond 12 digits', { timestamp: '1700000000000' }],
    ['a repeated timestamp header', { timestamp: [String(timestamp), String(timestamp)] }],
    ['a signature without its scheme', { signature: knownSignature.slice('sha256='.length) }],
    ['another scheme', { signature: knownSignature.replace('sha256=', 'sha1=') }],
    ['a truncated signature', { signature: knownSignature.slice(0, -2) }],
    ['a signature with non-hex digits', { signature: knownSignature.slice(0, -1) + 'z' }],
    ['a repeated signature header', { signature: [knownSignature, knownSignature] }]
  ])('reports %s as malformed', (_name, overrides) => {
    expect(verify(overrides)).toEqual({ ok: false, reason: 'malformed' })
  })
})
