import { describe, expect, it } from 'vitest'
import type { Threshold } from '../lib/scenario.js'
import type { LatencySummary } from '../src/recorder.js'
import { evaluateThresholds, type RunFigures } from '../src/thresholds.js'

const latency = (p99: number): LatencySummary => ({ count: 100, p50: p99 / 4, p90: p99 / 2, p95: p99 * 0.8, p99, avg: p99 / 3, max: p99 * 2 })

function figures (overrides: Partial<RunFigures> = {}): RunFigures {
  const statuses = new Map([[200, 500], [429, 1500]])
  return {
    latency: (request) => request === undefined ? latency(100) : request === 'place' ? latency(400) : undefined,
    errorRate: 0.002,
    answered: 2000,
    statusCount: (status) => statuses.get(status) ?? 0,
    elapsedSeconds: 5,
    ...overrides
  }
}

const verdict = (t: Threshold, f = figures()) => evaluateThresholds([t], f)[0]

describe('evaluateThresholds', () => {
  it('judges a latency percentile of all requests or of one request name against its max', () => {
    expect(verdict({ metric: 'latency', stat: 'p99', max: 250 })).toMatchObject({ pass: true, value: 100, unit: 'ms', bound: '≤ 250 ms', label: 'latency p99' })
    expect(verdict({ metric: 'latency', stat: 'p99', request: 'place', max: 250 })).toMatchObject({ pass: false, value: 400, label: 'latency p99 of place' })
    expect(verdict({ metric: 'latency', stat: 'max', max: 199 })).toMatchObject({ pass: false, value: 200 })
  })

  it('judges the error rate as a share, shown in percent', () => {
    expect(verdict({ metric: 'errors', stat: 'rate', max: 0.01 })).toMatchObject({ pass: true, value: 0.2, unit: '%', bound: '≤ 1 %' })
    expect(verdict({ metric: 'errors', stat: 'rate', max: 0.001 })).toMatchObject({ pass: false })
  })

  it('judges a status by its share of the answers, its rate per second over the run, or its count', () => {
    expect(verdict({ metric: 'status', status: 429, stat: 'share', min: 0.6 })).toMatchObject({ pass: true, value: 75, bound: '≥ 60 %' })
    expect(verdict({ metric: 'status', status: 200, stat: 'perSecond', min: 80, max: 110 })).toMatchObject({ pass: true, value: 100, bound: '80 /s .. 110 /s' })
    expect(verdict({ metric: 'status', status: 200, stat: 'perSecond', max: 90 })).toMatchObject({ pass: false, value: 100 })
    expect(verdict({ metric: 'status', status: 200, stat: 'count', min: 500, max: 500 })).toMatchObject({ pass: true, value: 500, bound: '= 500' })
    expect(verdict({ metric: 'status', status: 201, stat: 'count', min: 1 })).toMatchObject({ pass: false, value: 0 })
  })

  it('judges the checkout\'s time to the final state and its unsettled share', () => {
    const f = figures({ timeToFinal: latency(1500), unsettledRate: 0.02 })
    expect(verdict({ metric: 'timeToFinal', stat: 'p99', max: 2000 }, f)).toMatchObject({ pass: true, value: 1500, label: 'time to final state p99' })
    expect(verdict({ metric: 'unsettled', stat: 'rate', max: 0.01 }, f)).toMatchObject({ pass: false, value: 2 })
  })

  it('fails a threshold whose figure could not be measured (no answers, no orders): nothing measured proves nothing', () => {
    const empty = figures({ latency: () => ({ ...latency(0), count: 0 }), answered: 0, errorRate: Number.NaN })
    expect(verdict({ metric: 'latency', stat: 'p99', max: 250 }, empty)?.pass).toBe(false)
    expect(verdict({ metric: 'errors', stat: 'rate', max: 0.01 }, empty)?.pass).toBe(false)
    expect(verdict({ metric: 'status', status: 429, stat: 'share', min: 0 }, empty)?.pass).toBe(false)
    expect(verdict({ metric: 'timeToFinal', stat: 'p99', max: 2000 })?.pass).toBe(false)
    expect(verdict({ metric: 'latency', stat: 'p99', request: 'nope', max: 2000 })?.pass).toBe(false)
  })
})
