import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProvider, metricValue, type ProviderUnderTest } from '../build.js'

let provider: ProviderUnderTest

beforeAll(async () => {
  provider = await buildProvider({ PROVIDER_ERROR_RATE: '0.25', PROVIDER_LATENCY_MS: '0', PROVIDER_DECLINE_RATE: '0.1' })
})

afterAll(async () => {
  await provider?.app.close()
})

const gauge = async (knob: string) => await metricValue(provider.registry, 'provider_faults', { knob })

describe('GET/PUT/DELETE /admin/faults', () => {
  it('boots with the knobs from the environment, shown in the provider_faults gauges', async () => {
    const res = await provider.app.inject({ method: 'GET', url: '/admin/faults' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ errorRate: 0.25, latencyMs: 0, declineRate: 0.1 })
    expect(await gauge('error_rate')).toBe(0.25)
    expect(await gauge('decline_rate')).toBe(0.1)
  })

  it('changes the knobs given, keeps the others, and mirrors them in the gauges', async () => {
    const res = await provider.app.inject({ method: 'PUT', url: '/admin/faults', payload: { latencyMs: 1500, errorRate: 1 } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ errorRate: 1, latencyMs: 1500, declineRate: 0.1 })
    expect((await provider.app.inject({ method: 'GET', url: '/admin/faults' })).json()).toEqual({ errorRate: 1, latencyMs: 1500, declineRate: 0.1 })
    expect(await gauge('latency_ms')).toBe(1500)
    expect(await gauge('error_rate')).toBe(1)
  })

  it('resets to the boot values on DELETE', async () => {
    const res = await provider.app.inject({ method: 'DELETE', url: '/admin/faults' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ errorRate: 0.25, latencyMs: 0, declineRate: 0.1 })
    expect(await gauge('latency_ms')).toBe(0)
  })

  it.each([
    ['an errorRate above 1', { errorRate: 1.5 }, 'VALIDATION_FAILED'],
    ['a negative errorRate', { errorRate: -0.1 }, 'VALIDATION_FAILED'],
    ['a declineRate above 1', { declineRate: 2 }, 'VALIDATION_FAILED'],
    ['a latency above 30 s', { latencyMs: 30_001 }, 'VALIDATION_FAILED'],
    ['a negative latency', { latencyMs: -1 }, 'VALIDATION_FAILED'],
    ['a fractional latency', { latencyMs: 1.5 }, 'VALIDATION_FAILED'],
    ['a rate as a string', { errorRate: '0.5' }, 'VALIDATION_FAILED'],
    ['a null knob', { errorRate: null }, 'VALIDATION_FAILED'],
    ['an unknown knob', { errorRate: 0.5, crashRate: 1 }, 'VALIDATION_FAILED'],
    ['an array', [{ errorRate: 0.5 }], 'VALIDATION_FAILED'],
    ['no knob at all', {}, 'PROVIDER_EMPTY_FAULTS_UPDATE'],
    ['malformed JSON', '{"errorRate": ', 'FST_ERR_CTP_INVALID_JSON_BODY']
  ])('rejects %s with a 400 JSON body and changes nothing', async (_name, payload, code) => {
    const before = (await provider.app.inject({ method: 'GET', url: '/admin/faults' })).json()
    const res = await provider.app.inject({
      method: 'PUT',
      url: '/admin/faults',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ statusCode: 400, code, error: 'Bad Request', message: expect.any(String), requestId: expect.any(String) })
    expect((await provider.app.inject({ method: 'GET', url: '/admin/faults' })).json()).toEqual(before)
  })
})
