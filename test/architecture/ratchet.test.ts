import { describe, expect, it } from 'vitest'
import { importCycles, type ImportEdge } from './lib/import-graph.js'
import { compareWithAllowlist } from './lib/ratchet.js'

describe('the known-offenders ratchet', () => {
  const listed = { 'a.ts': 310, 'b.ts': 320 }

  it('passes today\'s offenders at their listed figures', () => {
    expect(compareWithAllowlist(listed, { 'a.ts': 310, 'b.ts': 320 }, 'lines').breaches).toEqual([])
  })

  it('fails a new offender', () => {
    expect(compareWithAllowlist(listed, { ...listed, 'c.ts': 301 }, 'lines').breaches).toEqual(['new offender: c.ts (301 lines)'])
  })

  it('fails a listed offender that got worse', () => {
    expect(compareWithAllowlist(listed, { ...listed, 'a.ts': 311 }, 'lines').breaches).toEqual([expect.stringMatching(/^worse: a\.ts is 311 lines, listed at 310/)])
  })

  it('fails a listed offender that is fine now, until it is removed from the list', () => {
    expect(compareWithAllowlist(listed, { 'a.ts': 310 }, 'lines').breaches).toEqual([expect.stringMatching(/^fixed: b\.ts .*remove it from known-offenders\.json/)])
  })

  it('only notes a listed offender that improved but still offends', () => {
    const { breaches, notices } = compareWithAllowlist(listed, { 'a.ts': 305, 'b.ts': 320 }, 'lines')
    expect(breaches).toEqual([])
    expect(notices).toEqual([expect.stringMatching(/^better: a\.ts is 305 lines/)])
  })
})

describe('import cycles', () => {
  const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, specifier: to, typeOnly })

  it('finds a cycle of runtime imports and leaves out type-only ones', () => {
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts']
    const edges = [edge('a.ts', 'b.ts'), edge('b.ts', 'a.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'd.ts'), edge('d.ts', 'c.ts', true)]
    expect(importCycles(files, edges)).toEqual([['a.ts', 'b.ts']])
  })
})
