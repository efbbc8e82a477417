import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { expectErrorBody } from '@lab/testkit'
import type { LabApp } from '@lab/platform'
import { buildGateway, metricValue } from '../build.js'
import { ADMIN_TOKEN, auth } from './chaos-setup.js'

/** Answered by the gateway itself: no Toxiproxy, no service behind it. */
const OWN_SWITCHES = '/admin/chaos/services/gateway/switches'
const wrong = { authorization: 'Bearer not-the-lab-token-0123' }

async function adminGateway (env: Record<string, string> = {}) {
  return await buildGateway({ CATALOG_UPSTREAMS: 'http://127.0.0.1:9', ADMIN_TOKEN, ...env })
}

const ask = async (app: LabApp, headers: Record<string, string>) => await app.inject({ method: 'GET', url: OWN_SWITCHES, headers })

describe('the admin API against guessing', () => {
  it('five wrong credentials, then 429 with Retry-After, the draft fields and a JSON error body for the rest of the window, the right credential included', async () => {
    const { app, registry } = await adminGateway()
    for (let i = 0; i < 5; i++) expect((await ask(app, wrong)).statusCode).toBe(403)
    for (const headers of [wrong, auth]) {
      const locked = await ask(app, headers)
      expect(locked.statusCode).toBe(429)
      expectErrorBody(locked.json(), 429, 'GATEWAY_ADMIN_AUTH_LOCKED')
      const wait = Number(locked.headers['retry-after'])
      expect(wait).toBeGreaterThan(0)
      expect(wait).toBeLessThanOrEqual(60)
      // The lockout's policy first, then the request budget's (both Lists in the draft).
      expect(locked.headers['ratelimit-policy']).toBe('"admin-auth-failures";q=5;w=60, "sliding-window";q=20;w=1')
      expect(locked.headers.ratelimit).toMatch(new RegExp(`^"admin-auth-failures";r=0;t=${wait}, "sliding-window";r=\\d+;t=\\d+$`))
    }
    expect(await metricValue(registry, 'gateway_admin_auth_failures_total')).toBe(5)
    expect(await metricValue(registry, 'gateway_admin_rate_limited_total', { reason: 'auth_failures' })).toBe(2)
  })

  it('the right credential within the budget still works, and works again once a lockout\'s window has ended', async () => {
    const { app } = await adminGateway({ ADMIN_AUTH_FAILURES_WINDOW_MS: '1000' })
    for (let i = 0; i < 4; i++) expect((await ask(app, wrong)).statusCode).toBe(403)
    const ok = await ask(app, auth)
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['ratelimit-policy']).toBe('"sliding-window";q=20;w=1')
    expect((await ask(app, wrong)).statusCode).toBe(403)
    expect((await ask(app, auth)).statusCode).toBe(429)
    await sleep(1100)
    expect((await ask(app, auth)).statusCode).toBe(200)
  })

  it('a guessing loop is cut at the request budget: of 30 requests at once, 20 are answered and the rest get 429', async () => {
    const { app, registry } = await adminGateway({ ADMIN_AUTH_FAILURES_MAX: '1000' })
    const answers = await Promise.all(Array.from({ length: 30 }, async () => await ask(app, wrong)))
    expect(answers.filter((a) => a.statusCode === 403)).toHaveLength(20)
    const limited = answers.filter((a) => a.statusCode === 429)
    expect(limited).toHaveLength(10)
    for (const res of limited) {
      expectErrorBody(res.json(), 429, 'GATEWAY_RATE_LIMITED')
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    }
    expect(await metricValue(registry, 'gateway_admin_rate_limited_total', { reason: 'requests' })).toBe(10)
  })

  it('the lab\'s own use is never throttled: a burst of admin calls the size the experiments and tests make, during a flood of public requests', async () => {
    const { app } = await adminGateway({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
    const flood = await Promise.all(Array.from({ length: 10 }, async () => (await app.inject({ method: 'GET', url: '/catalog/products/1' })).statusCode))
    expect(flood.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7)
    // The admin tests' longest run is 13 calls in a row; ./lab chaos makes one or two, an experiment a few per phase.
    for (let i = 0; i < 15; i++) expect((await ask(app, auth)).statusCode).toBe(200)
  })

  it('switched off with rate-limit, neither limit applies; on again, both do', async () => {
    const { app } = await adminGateway()
    await app.inject({ method: 'PUT', url: OWN_SWITCHES, headers: auth, payload: { 'rate-limit': false } })
    const statuses = await Promise.all(Array.from({ length: 30 }, async () => (await ask(app, wrong)).statusCode))
    expect(statuses.filter((s) => s !== 403)).toEqual([])
    // Nothing was counted meanwhile: both budgets are whole.
    expect((await app.inject({ method: 'DELETE', url: OWN_SWITCHES, headers: auth })).statusCode).toBe(200)
    for (let i = 0; i < 5; i++) expect((await ask(app, wrong)).statusCode).toBe(403)
    expect((await ask(app, auth)).statusCode).toBe(429)
  })
})
