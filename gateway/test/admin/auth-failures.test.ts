import { describe, expect, it } from 'vitest'
import { AuthFailureWindows, clientAddress } from '../../src/admin/auth-failures.js'

describe('the admin API\'s count of wrong credentials', () => {
  it('locks an address out after max wrong credentials, until its window ends, and no other address', () => {
    let now = 1_000_000
    const failures = new AuthFailureWindows({ max: 5, windowMs: 60_000 }, () => now)
    for (let i = 0; i < 4; i++) failures.record('203.0.113.9')
    expect(failures.lockedFor('203.0.113.9')).toBe(0)
    failures.record('203.0.113.9')
    now += 20_000
    expect(failures.lockedFor('203.0.113.9')).toBe(40_000)
    expect(failures.lockedFor('127.0.0.1')).toBe(0)
    expect(failures.fields(40_000)).toEqual({ 'ratelimit-policy': '"admin-auth-failures";q=5;w=60', ratelimit: '"admin-auth-failures";r=0;t=40' })
    now += 40_000
    expect(failures.lockedFor('203.0.113.9')).toBe(0)
  })

  it('keeps at most capacity addresses, the oldest dropped first, so many addresses cannot exhaust memory', () => {
    const failures = new AuthFailureWindows({ max: 1, windowMs: 60_000 }, () => 0, 2)
    for (const address of ['a', 'b', 'c']) failures.record(address)
    expect(['a', 'b', 'c'].map((a) => failures.lockedFor(a) > 0)).toEqual([false, true, true])
  })

  it('counts an IPv6 client by its /64 and an IPv4 one by its address', () => {
    expect(clientAddress('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64')
    expect(clientAddress('2001:db8:0:1:bbbb:cccc:dddd:2')).toBe('2001:db8:0:1::/64')
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(clientAddress('::1')).toBe('0:0:0:0::/64')
    expect(clientAddress('127.0.0.1')).toBe('127.0.0.1')
    expect(clientAddress('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1')
  })
})
