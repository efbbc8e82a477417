import { describe, expect, it } from 'vitest'
import { crossWorkspaceDuplicates, duplicatedLinesByPair, MIN_LINES, MIN_TOKENS } from './lib/duplicates.js'
import { ratchetCheck } from './lib/ratchet.js'
import { productionFiles } from './lib/source-files.js'

/**
 * No block of six or more lines repeated across services, outside tests (issue 12, "Targets"). An
 * equivalent of jscpd written here rather than jscpd itself: jscpd compares tokens as written, so a
 * block copied with its variables renamed escapes it, and the issue asks for the same shape with
 * other names to be caught; its current release (5.4) does not run here either (its Linux build is
 * not served), and this needs nothing installed.
 *
 * How (duplicates.ts): each file is parsed with the TypeScript compiler; every line of code becomes
 * its token shapes, local names (variables, parameters, functions, types) → `i`, strings → `s`,
 * numbers → `n`, member and property names, keywords and punctuation kept (so `id: Type.Integer()`
 * and `amount: Type.String()` differ, a renamed copy does not). Imports, comments, blank lines and
 * punctuation-only lines are passed over. A block is at least MIN_LINES such lines in a row with at
 * least MIN_TOKENS tokens, found in two files of two different workspaces (services/x vs services/y,
 * a service vs the gateway or a package, ...), each copy extended to its longest run.
 *
 * Files: the production code of services/*\/src, gateway/src and packages/*\/src, tests excluded.
 *
 * Allowlist (known-offenders.json, "duplicates"): `<file a> ~ <file b>` with the lines of file a that
 * stand in blocks repeated in file b.
 */
describe('code repeated across workspaces', () => {
  it(`has no block of ${MIN_LINES}+ lines (${MIN_TOKENS}+ tokens) in two workspaces beyond the known ones`, () => {
    const breaches = ratchetCheck('duplicates', 'duplicated lines', () => {
      const files = productionFiles().filter((file) => /^(?:services|gateway|packages)\//.test(file))
      const blocks = crossWorkspaceDuplicates(files)
      for (const { a, b, aLines, bLines } of blocks) console.log(`  ${a}:${aLines.join('-')} ~ ${b}:${bLines.join('-')}`)
      return duplicatedLinesByPair(blocks)
    })
    expect(breaches).toEqual([])
  })
})
