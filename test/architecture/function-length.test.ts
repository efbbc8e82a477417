import { describe, expect, it } from 'vitest'
import { functionsOf, isDescribeBlock } from './lib/functions.js'
import { ratchetCheck } from './lib/ratchet.js'
import { allButExperimentsAndBenchmarks } from './lib/source-files.js'

/** Issue 12: "no function over 60 lines outside experiments and benchmarks". */
const MAX_LINES = 60

/**
 * No function over 60 lines: function declarations and expressions, arrow functions, methods,
 * accessors and constructors, measured from the first line of the node to its last (its doc comment
 * not included). Every TypeScript file of the repository is checked, tests and load-tests/ included,
 * but for experiments/ and bench/ (a service's bench/ too), as the issue says. One exemption: the
 * callback of a test's `describe(...)`, a list of cases rather than a function a reader follows (each
 * case, `it(...)`, is held to the limit).
 *
 * Allowlist (known-offenders.json, "functionLines"): `<file> > <function>` with its lines; a function
 * is named by the named functions and classes around it (`OutboxRelay.#publishWhileLeader`), an
 * anonymous one by where it stands (`feedPlugin`, `app.post('/orders') callback`).
 */
describe('function length', () => {
  it(`has no function over ${MAX_LINES} lines beyond the known ones`, () => {
    const breaches = ratchetCheck('functionLines', 'lines', () => {
      const offenders: Array<[string, number]> = []
      for (const file of allButExperimentsAndBenchmarks()) {
        for (const fn of functionsOf(file)) {
          if (fn.lines > MAX_LINES && !isDescribeBlock(fn.node)) offenders.push([`${file} > ${fn.name}`, fn.lines])
        }
      }
      return Object.fromEntries(offenders)
    })
    expect(breaches).toEqual([])
  })
})
