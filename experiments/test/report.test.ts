import { describe, expect, it } from 'vitest'
import { chartPng, chartSvg, niceStep } from '../src/chart.js'
import { ttlCacheHitRatio } from '../src/cache-model.js'
import { markdownReport, type ExperimentResult } from '../src/report.js'
import { atLeast, atMost, between, exactly } from '../src/verdict.js'

const data = {
  title: 'test chart',
  startMs: 0,
  endMs: 60_000,
  windows: [{ label: 'fault', startMs: 20_000, endMs: 30_000 }],
  panels: [{ title: 'reads', unit: 'per second', series: [{ name: 'hits', points: [[0, 1], [10_000, 5], [20_000, Number.NaN], [30_000, 8]] as Array<[number, number]> }] }]
}

describe('verdicts', () => {
  it('judges each threshold on the measured value, and never passes a value that was not measured', () => {
    expect(atLeast('a', 90, 90, '%').pass).toBe(true)
    expect(atLeast('a', 89.9, 90, '%').pass).toBe(false)
    expect(atMost('b', 0.11, 0.1).pass).toBe(false)
    expect(between('c', 111, 90, 110).pass).toBe(false)
    expect(exactly('d', 1, 1).pass).toBe(true)
    for (const v of [atLeast('e', Number.NaN, 0), atMost('f', Number.NaN, 1), between('g', Number.NaN, 0, 1), exactly('h', Number.NaN, 0)]) expect(v.pass).toBe(false)
  })
})

describe('the chart', () => {
  it('picks 1-2-5 tick steps', () => {
    expect(niceStep(100)).toBe(20)
    expect(niceStep(7)).toBe(2)
    expect(niceStep(0)).toBe(1)
  })

  it('shades the fault window, breaks the line at a gap and rasterises to a PNG of the SVG\'s size', () => {
    const svg = chartSvg(data)
    expect(svg).toContain('>fault</text>')
    expect(svg.match(/M/g)?.length).toBeGreaterThanOrEqual(2)
    const png = chartPng(data)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBe(1000)
  })
})

describe('the TTL-cache model', () => {
  it('gives a uniform load over few keys nearly all hits and a long flat tail few', () => {
    expect(ttlCacheHitRatio({ products: 10, zipfExponent: 0, rate: 100, ttlSeconds: 60 })).toBeGreaterThan(0.99)
    expect(ttlCacheHitRatio({ products: 1_000_000, zipfExponent: 0, rate: 1, ttlSeconds: 1 })).toBeLessThan(0.01)
    expect(ttlCacheHitRatio({ products: 10_000, zipfExponent: 1.1, rate: 30, ttlSeconds: 60 })).toBeCloseTo(0.681, 2)
  })
})

describe('the Markdown report', () => {
  it('prints each verdict with its measured value and threshold, and the chart', () => {
    const result: ExperimentResult = {
      experiment: { id: 1, name: 'x', title: 'X', hypothesis: 'h', fault: 'f' },
      short: true,
      startedAt: 'a',
      endedAt: 'b',
      before: [],
      after: [],
      outcome: { figures: [], verdicts: [atLeast('hit ratio', 95.3, 90, '%'), exactly('reads', 2, 1)], windows: [], panels: [], notes: [] },
      passed: false
    }
    const md = markdownReport(result, 'chart.png')
    expect(md).toContain('| **PASS** | hit ratio | 95.3 % | ≥ 90 % |')
    expect(md).toContain('| **FAIL** | reads | 2 | = 1 |')
    expect(md).toContain('![key series, the fault window shaded](chart.png)')
  })
})
