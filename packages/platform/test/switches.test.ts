import pino from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { metricValue } from '@lab/testkit'
import { createBreaker, createBreakerMetrics, isBreakerOpenError } from '../src/breaker.js'
import { createBaseApp } from '../src/app.js'
import { labAdminRoutes } from '../src/lab-admin.js'
import { createSwitchSet } from '../src/switches.js'
import { followSwitch } from '../src/breaker-switch.js'

const failing = async () => { throw new Error('dependency failed') }

async function appWithSwitches () {
  const registry = new Registry()
  const switches = createSwitchSet({ definitions: { cache: 'the cache', 'single-flight': 'one load per key' }, registry })
  const app = await createBaseApp({ logger: { service: 'switch-test', level: 'silent', pretty: false }, registry, defaultMetrics: false })
  await app.register(labAdminRoutes, { switches })
  onTestFinished(async () => { await app.close() })
  return { app, switches, registry }
}

describe('pattern switches', () => {
  it('start on, change only the switches given, and mirror each in lab_pattern_enabled{pattern}', async () => {
    const { app, registry } = await appWithSwitches()
    expect((await app.inject({ method: 'GET', url: '/admin/switches' })).json()).toEqual({ cache: true, 'single-flight': true })
    const off = await app.inject({ method: 'PUT', url: '/admin/switches', payload: { cache: false } })
    expect(off.json()).toEqual({ cache: false, 'single-flight': true })
    expect(await metricValue(registry, 'lab_pattern_enabled', { pattern: 'cache' })).toBe(0)
    expect(await metricValue(registry, 'lab_pattern_enabled', { pattern: 'single-flight' })).toBe(1)
    expect((await app.inject({ method: 'DELETE', url: '/admin/switches' })).json()).toEqual({ cache: true, 'single-flight': true })
    expect(await metricValue(registry, 'lab_pattern_enabled', { pattern: 'cache' })).toBe(1)
  })

  it('refuses unknown switches, strings for booleans and empty changes with a 400 JSON error', async () => {
    const { app, switches } = await appWithSwitches()
    for (const payload of [{ nope: false }, { cache: 'false' }, {}]) {
      const res = await app.inject({ method: 'PUT', url: '/admin/switches', payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' })
    }
    expect(switches.current()).toEqual({ cache: true, 'single-flight': true })
  })

  it('takes each switch from its one definition: the names in order, each described in the admin routes\' schemas', async () => {
    const registry = new Registry()
    const switches = createSwitchSet({ definitions: { 'single-flight': 'one load per key', cache: 'the cache' }, registry })
    expect(switches.names).toEqual(['single-flight', 'cache'])
    const app = await createBaseApp({ logger: { service: 'switch-test', level: 'silent', pretty: false }, registry, defaultMetrics: false })
    onTestFinished(async () => { await app.close() })
    const described: Record<string, unknown> = {}
    app.addHook('onRoute', (route) => {
      const schema = route.method === 'GET' && route.url === '/admin/switches' ? route.schema?.response as Record<number, { properties: Record<string, { description?: string }> }> : undefined
      for (const [name, property] of Object.entries(schema?.[200]?.properties ?? {})) described[name] = property.description
    })
    await app.register(labAdminRoutes, { switches })
    await app.ready()
    expect(described).toEqual({ 'single-flight': 'one load per key', cache: 'the cache' })
    expect(() => createSwitchSet({ definitions: { Cache: 'not kebab-case' }, registry: new Registry() })).toThrow(/kebab-case/)
  })

  it('readiness fault: /health/ready answers 503 while it is on, 200 once answering again', async () => {
    const { app } = await appWithSwitches()
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200)
    expect((await app.inject({ method: 'PUT', url: '/admin/faults/readiness', payload: { answering: false } })).json()).toEqual({ answering: false })
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ status: 'not-ready', checks: { 'lab-fault': { status: 'down' } } })
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    await app.inject({ method: 'PUT', url: '/admin/faults/readiness', payload: { answering: true } })
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200)
  })

  it('a breaker switched off never opens: every call runs and fails on its own; switched on, failures open it again', async () => {
    const switches = createSwitchSet({ definitions: { 'breaker-dep': 'the breaker around dep' }, registry: new Registry() })
    const log = pino({ level: 'silent' })
    const breaker = followSwitch(createBreaker({ name: 'dep', timeoutMs: 1000, errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 10_000, metrics: createBreakerMetrics(new Registry()), log }), switches, 'breaker-dep', log)
    onTestFinished(() => { breaker.shutdown() })
    switches.set({ 'breaker-dep': false })
    let calls = 0
    for (let i = 0; i < 10; i++) await expect(breaker.run(async () => { calls++; return await failing() })).rejects.toThrow('dependency failed')
    expect(calls).toBe(10)
    expect(breaker.state).toBe('closed')
    switches.set({ 'breaker-dep': true })
    // Calls made while off are not in its window: the threshold applies as to a fresh breaker.
    for (let i = 0; i < 3; i++) await breaker.run(failing).catch(() => {})
    const refused = await breaker.run(failing).catch((err: unknown) => err)
    expect(isBreakerOpenError(refused)).toBe(true)
    expect(breaker.state).toBe('open')
  })
})
