import { describe, expect, it } from 'vitest'
import { memoryOf, parseSmapsRollup, parseStat, processTree, readProcessTable, type ProcessTable } from '../proc.js'

describe('parseStat', () => {
  it('reads the parent and resident pages even when the command name has spaces and parentheses', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3))
    rest[0] = 'S'
    rest[1] = '42' // ppid, field 4
    rest[21] = '100' // rss in pages, field 24
    expect(parseStat(`1234 (postgres: a (b) c) ${rest.join(' ')}`)).toEqual({ ppid: 42, rssBytes: 100 * 4096 })
  })

  it('leaves zombies out', () => {
    expect(parseStat('1234 (node) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0')).toBeUndefined()
  })
})

describe('processTree', () => {
  // 1 ─ 10 ─ 11 ─ 12 (a backend that left its parent's process group still has it as parent)
  //   └ 20 (not under 10)
  const table: ProcessTable = new Map([
    [1, { ppid: 0, rssBytes: 1 }],
    [10, { ppid: 1, rssBytes: 100 }],
    [11, { ppid: 10, rssBytes: 10 }],
    [12, { ppid: 11, rssBytes: 1 }],
    [20, { ppid: 1, rssBytes: 1000 }]
  ])

  it('holds a process and all its descendants, and nothing else', () => {
    expect(processTree(table, 10).sort((a, b) => a - b)).toEqual([10, 11, 12])
  })

  it('is empty for a process that is gone', () => {
    expect(processTree(table, 99)).toEqual([])
  })
})

describe('parseSmapsRollup', () => {
  it('reads Rss and Pss in bytes', () => {
    const text = '00400000-7ffd [rollup]\nRss:               12345 kB\nPss:                6789 kB\nPss_Anon:           100 kB\n'
    expect(parseSmapsRollup(text)).toEqual({ rss: 12345 * 1024, pss: 6789 * 1024 })
  })
})

describe('on this machine', () => {
  it('finds this process, a child of its parent, with memory that PSS never exceeds', () => {
    const table = readProcessTable()
    expect(table.get(process.pid)?.ppid).toBe(process.ppid)
    expect(processTree(table, process.ppid)).toContain(process.pid)
    const { rss, pss } = memoryOf(table, [process.pid])
    expect(rss).toBeGreaterThan(10 * 1024 * 1024)
    expect(pss).toBeGreaterThan(0)
    expect(pss).toBeLessThanOrEqual(rss)
  })
})
