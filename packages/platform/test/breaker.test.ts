import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { metricValue } from '@lab/testkit'
import { createBreaker, createBreakerMetrics, isBreakerOpenError, type BreakerSettings } from '../src/breaker.js'

const RESET_MS = 200
const failing = async () => { throw new Error('dependency failed') }

/** A breaker on its own registry, with a logger whose lines the test can read. */
function breakerUnderTest (settings: Partial<BreakerSettings> = {}) {
  const registry = new Registry()
  const lines: Array<{ level: number, breaker: string, state: string, msg: string }> = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  const breaker = createBreaker({
    name: 'dependency',
    timeoutMs: 1000,
    errorThresholdPercentage: 50,
    volumeThreshold: 4,
    resetTimeoutMs: RESET_MS,
    ...settings,
    metrics: createBreakerMetrics(registry),
    log: pino({ level: 'info' }, sink)
  })
  onTestFinished(() => { breaker.shutdown() })
  const metric = async (name: string, labels: Record<string, string> = {}) => await metricValue(registry, name, { breaker: 'dependency', ...labels })
  return { breaker, metric, lines }
}

async function failTimes (breaker: ReturnType<typeof breakerUnderTest>['breaker'], n: number) {
  for (let i = 0; i < n; i++) await expect(breaker.run(failing)).rejects.toThrow('dependency failed')
}

async function until (condition: () => boolean, withinMs: number) {
  const deadline = Date.now() + withinMs
  while (!condition() && Date.now() < deadline) await sleep(10)
}

describe('createBreaker', () => {
  it('starts closed, passes results and errors through, with every series at 0', async () => {
    const { breaker, metric } = breakerUnderTest()
    expect(await breaker.run(async () => 42)).toBe(42)
    await failTimes(breaker, 1)
    expect(breaker.state).toBe('closed')
    expect(await metric('circuit_breaker_state')).toBe(0)
    for (const to of ['open', 'half_open', 'closed']) expect(await metric('circuit_breaker_transitions_total', { to })).toBe(0)
    expect(await metric('circuit_breaker_rejected_total')).toBe(0)
  })

  it('stays closed below the volume threshold, and opens once it is reached', async () => {
    const { breaker, metric } = breakerUnderTest()
    await failTimes(breaker, 3)
    expect(breaker.state).toBe('closed')
    await failTimes(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(await metric('circuit_breaker_state')).toBe(2)
    expect(await metric('circuit_breaker_transitions_total', { to: 'open' })).toBe(1)
  })

  it('refuses calls at once while open, without calling, and counts the refusals', async () => {
    const { breaker, metric } = breakerUnderTest({ resetTimeoutMs: 60_000 })
    await failTimes(breaker, 4)
    let called = 0
    const started = performance.now()
    for (let i = 0; i < 5; i++) {
      const err = await breaker.run(async () => { called++; await sleep(500) }).catch((e: unknown) => e)
      expect(isBreakerOpenError(err)).toBe(true)
    }
    expect(performance.now() - started).toBeLessThan(50)
    expect(called).toBe(0)
    expect(await metric('circuit_breaker_rejected_total')).toBe(5)
    expect(isBreakerOpenError(new Error('dependency failed'))).toBe(false)
  })

  it('goes half-open after the reset timeout, and a successful probe closes it', async () => {
    const { breaker, metric, lines } = breakerUnderTest()
    let closed = 0
    breaker.onClose(() => { closed++ })
    await failTimes(breaker, 4)
    await until(() => breaker.state === 'half_open', RESET_MS * 5)
    expect(breaker.state).toBe('half_open')
    expect(await metric('circuit_breaker_state')).toBe(1)
    expect(await metric('circuit_breaker_transitions_total', { to: 'half_open' })).toBe(1)

    expect(await breaker.run(async () => 'probe ok')).toBe('probe ok')
    expect(breaker.state).toBe('closed')
    expect(closed).toBe(1)
    expect(await metric('circuit_breaker_state')).toBe(0)
    expect(await metric('circuit_breaker_transitions_total', { to: 'closed' })).toBe(1)
    // warn (40) when it opens, info (30) on the way back, always with { breaker, state }.
    expect(lines.map(({ level, breaker, state, msg }) => ({ level, breaker, state, msg }))).toEqual([
      { level: 40, breaker: 'dependency', state: 'open', msg: 'circuit breaker state changed' },
      { level: 30, breaker: 'dependency', state: 'half_open', msg: 'circuit breaker state changed' },
      { level: 30, breaker: 'dependency', state: 'closed', msg: 'circuit breaker state changed' }
    ])
  })

  it('refuses other calls while the probe is under way, and opens again when the probe fails', async () => {
    const { breaker, metric } = breakerUnderTest()
    await failTimes(breaker, 4)
    await until(() => breaker.state === 'half_open', RESET_MS * 5)
    const probe = breaker.run(async () => { await sleep(50); throw new Error('still down') })
    expect(isBreakerOpenError(await breaker.run(async () => 'too early').catch((e: unknown) => e))).toBe(true)
    await expect(probe).rejects.toThrow('still down')
    expect(breaker.state).toBe('open')
    expect(await metric('circuit_breaker_transitions_total', { to: 'open' })).toBe(2)
    expect(await metric('circuit_breaker_rejected_total')).toBe(1)
  })

  it('fails a call slower than the timeout, and counts it against the breaker', async () => {
    const { breaker } = breakerUnderTest({ timeoutMs: 50, volumeThreshold: 2 })
    for (let i = 0; i < 2; i++) {
      const started = performance.now()
      const err = await breaker.run(async () => { await sleep(1000) }).catch((e: unknown) => e)
      expect(performance.now() - started).toBeLessThan(500)
      expect((err as { code?: string }).code).toBe('ETIMEDOUT')
    }
    expect(breaker.state).toBe('open')
  })
})
