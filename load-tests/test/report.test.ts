import { describe, expect, it } from 'vitest'
import { achievedRate, type LoadReport } from '../src/driver.js'
import { formatProgress, formatReport } from '../src/report.js'
import { loadScenario } from '../src/scenarios.js'
import { evaluateThresholds } from '../src/thresholds.js'
import type { LatencySummary } from '../src/recorder.js'

const summary = (count: number, p99: number): LatencySummary => ({ count, p50: 1.5, p90: 4, p95: 6, p99, avg: 2, max: 30 })

function burstReport (): LoadReport {
  const scenario = loadScenario('burst')
  const all = summary(2500, 9.5)
  const verdicts = evaluateThresholds(scenario.thresholds, {
    latency: () => all,
    errorRate: 0.0004,
    answered: 2499,
    statusCount: (s) => (s === 200 ? 520 : s === 429 ? 1979 : 0),
    elapsedSeconds: 5
  })
  return {
    scenario,
    baseUrl: 'http://127.0.0.1:8080',
    startedAt: '2026-12-02T12:00:00.000Z',
    target: { rate: 500, durationSeconds: 5, iterations: 2500 },
    connections: 100,
    iterations: { sent: 2500, sentInWindow: 2490, unfinished: 1 },
    achievedRate: 498.2,
    elapsedSeconds: 5.01,
    answered: 2499,
    errorRate: 0.0004,
    statuses: { 200: 520, 429: 1979 },
    all,
    timeline: [],
    requests: [{ name: 'burst', byStatus: { 200: 520, '429 GATEWAY_RATE_LIMITED': 1979 }, answered: 2499, unexpected: 0, noAnswer: 1, latency: all }],
    verdicts,
    passed: verdicts.every((v) => v.pass)
  }
}

describe('formatReport', () => {
  it('shows the achieved rate against the target, the latency percentiles, the answers by status and each verdict', () => {
    const text = formatReport(burstReport())
    expect(text).toContain('target   500/s for 5 s = 2,500 iterations, open model over 100 connections')
    expect(text).toContain('achieved 498.2/s (99.6% of the target): 2,500 sent, 2,490 within the 5 s window, 1 unanswered when stopped')
    expect(text).toMatch(/burst\s+2,500\s+1\.50\s+4\.00\s+9\.50\s+30\.0/)
    expect(text).toMatch(/burst 429 GATEWAY_RATE_LIMITED\s+1,979\s+79\.2%/)
    expect(text).toMatch(/burst no answer \(connection error or timeout\)\s+1\s+0\.0%/)
    expect(text).toMatch(/PASS {2}share of 429\s+79\.2 %\s+≥ 60 %/)
    expect(text).toMatch(/PASS {2}200 per second\s+104 \/s\s+80 \/s \.\. 120 \/s/)
    expect(text).toContain('all 4 thresholds passed')
    expect(text).not.toContain('x-cache')
    expect(formatReport({ ...burstReport(), cache: { hit: 510, miss: 10 } })).toContain('x-cache (the catalog\'s cache, 520 answers): hit 98.1%, miss 1.9%')
  })

  it('says how many thresholds failed', () => {
    const report = burstReport()
    report.verdicts = [{ ...report.verdicts[0]!, pass: false }, ...report.verdicts.slice(1)]
    expect(formatReport(report)).toContain('1 of 4 thresholds FAILED')
    expect(formatReport(report)).toMatch(/FAIL {2}share of 429/)
  })

  it('adds the checkout\'s final states and time to final state', () => {
    const report: LoadReport = {
      ...burstReport(),
      scenario: loadScenario('checkout'),
      checkout: { tracked: 100, confirmed: 97, cancelled: 2, unsettled: 1, cancelReasons: { 'payment failed: insufficient_funds': 2 }, pollIntervalMs: 100, timeToFinal: summary(99, 190) }
    }
    const text = formatReport(report)
    expect(text).toContain('final states of 100 placed orders (polled every 100 ms): confirmed 97, cancelled 2 (payment failed: insufficient_funds 2), unsettled 1')
    expect(text).toMatch(/POST sent → final seen\s+99\s+1\.50\s+4\.00\s+190/)
  })
})

describe('formatProgress', () => {
  it('shows where the run is, what was sent and answered, the last second\'s rate and the errors', () => {
    expect(formatProgress('burst', 5, { phase: 'load', elapsedSeconds: 2.4, sent: 1200, answered: 1190, lastSecond: 500, errors: 0 }))
      .toBe('burst  2 s/5 s  sent 1,200  answered 1,190  500/s  errors 0')
    expect(formatProgress('checkout', 30, { phase: 'settling', elapsedSeconds: 31, sent: 300, answered: 580, lastSecond: 12, errors: 1, pendingOrders: 4 }))
      .toBe('checkout  settling 31 s  sent 300  answered 580  12/s  errors 1  orders polled 4')
  })
})

describe('achievedRate', () => {
  it('reads an evenly paced run as its rate: n sends span n - 1 intervals', () => {
    // 50 sends 20 ms apart: 980 ms from the first to the last, 50/s.
    expect(achievedRate(50, 1000, 1980, 50)).toBeCloseTo(50, 6)
    // The same 50 sends spread over twice the time: half the rate.
    expect(achievedRate(50, 1000, 2980, 50)).toBeCloseTo(25, 6)
    expect(achievedRate(0, Number.NaN, Number.NaN, 50)).toBe(0)
  })
})
