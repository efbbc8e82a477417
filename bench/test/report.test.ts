import { describe, expect, it } from 'vitest'
import type { LoadResult } from '../load.js'
import { cacheCell, fmtInt, fmtMs, scenarioTable, table, verdicts } from '../report.js'

function result (title: string, requestsPerSecond: number, p50Ms: number, cache?: LoadResult['cache']): LoadResult {
  return {
    title,
    url: 'http://127.0.0.1:1/',
    connections: 10,
    durationSeconds: 10,
    requests: requestsPerSecond * 10,
    requestsPerSecond,
    p50Ms,
    p99Ms: p50Ms * 4,
    autocannon: { p50Ms: Math.floor(p50Ms), p99Ms: Math.floor(p50Ms * 4), averageMs: p50Ms },
    errors: 0,
    non2xx: 0,
    ...(cache === undefined ? {} : { cache }),
    stoppedAtMaxRequests: false
  }
}

describe('formatting', () => {
  it('prints milliseconds with two decimals and counts with thousands separators', () => {
    expect(fmtMs(0.2544)).toBe('0.25')
    expect(fmtMs(Number.NaN)).toBe('-')
    expect(fmtInt(27550.4)).toBe('27,550')
  })

  it('aligns columns, numbers to the right', () => {
    expect(table([['name', 'req/s'], ['a', '1,000'], ['longer', '5']])).toBe('name    req/s\na       1,000\nlonger      5')
  })

  it('shows the share of the expected cache source', () => {
    expect(cacheCell(result('m', 1, 1, { hit: 1, miss: 999, bypass: 0, other: 0 }), 'miss')).toBe('99.9% miss')
    expect(cacheCell(result('h', 1, 1), 'hit')).toBe('')
  })

  it('gives each scenario its share of the ceiling', () => {
    const ceiling = result('hello', 30_000, 0.25)
    const text = scenarioTable([{ result: ceiling }, { result: result('hit', 7_500, 1.1) }], ceiling)
    expect(text).toMatch(/hello\s+30,000\s+0\.25\s+1\.00\s+100\.0%/)
    expect(text).toMatch(/hit\s+7,500\s+1\.10\s+4\.40\s+25\.0%/)
  })
})

describe('verdicts', () => {
  const GiB = 1024 ** 3
  const base = {
    upSeconds: 42.3,
    directMiss: result('miss', 1_000, 6),
    directHit: result('hit', 8_000, 1),
    gatewayHit: result('gw hit', 4_000, 1.6),
    single: { directHit: result('hit 1', 3_000, 0.3), gatewayHit: result('gw hit 1', 1_500, 0.65) },
    labPeak: { rssBytes: 2.4 * GiB, pssBytes: 1.5 * GiB }
  }

  it('passes a fast start, a 6x faster hit, 0.6 ms added by the gateway and a lab under 2.5 GiB', () => {
    const list = verdicts(base)
    expect(list.map((v) => v.pass)).toEqual([true, true, true, true, true, true])
    expect(list[1]?.measured).toBe('6.00 / 1.00 ms = 6.0x')
    expect(list[2]?.measured).toBe('1.60 - 1.00 = 0.60 ms')
    expect(list[3]?.measured).toBe('0.65 - 0.30 = 0.35 ms')
  })

  it('fails each target on its own', () => {
    const list = verdicts({
      ...base,
      upSeconds: 75,
      directMiss: result('miss', 1_000, 4),
      gatewayHit: result('gw hit', 4_000, 2.5),
      single: { directHit: result('hit 1', 3_000, 0.3), gatewayHit: result('gw hit 1', 1_500, 1.4) },
      labPeak: { rssBytes: 3.4 * GiB, pssBytes: 2.6 * GiB }
    })
    expect(list.map((v) => v.pass)).toEqual([false, false, false, false, false, false])
  })

  it('leaves the 1-connection row out when it was not measured, and fails memory without a sample', () => {
    const list = verdicts({ ...base, single: undefined, labPeak: undefined })
    expect(list).toHaveLength(5)
    expect(list.slice(3).map((v) => [v.measured, v.pass])).toEqual([['no sample', false], ['no sample', false]])
  })
})
