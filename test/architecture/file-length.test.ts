import { describe, expect, it } from 'vitest'
import { ratchetCheck } from './lib/ratchet.js'
import { productionFiles, readSource } from './lib/source-files.js'

/** The style guide's and issue 12's ceiling: one concept per file, read in one sitting. */
const MAX_LINES = 300

/**
 * No production file over 300 lines. The set (source-files.ts, productionFiles): services/*\/src,
 * gateway/src, packages/*\/src, infra/**. Left out, and why:
 * - tests and test helpers (`*.test.ts`, any `test/` folder): a test file is a list of cases;
 * - experiments/, bench/ (and a service's bench/), load-tests/: programs that drive or measure the
 *   lab, not the lab itself (load-tests/ is held to the function-length check);
 * - generated files (an `@generated` or `DO NOT EDIT` header): their size is the generator's. No
 *   TypeScript file is generated today.
 * Lines are counted as `wc -l` counts them.
 *
 * Allowlist (known-offenders.json, "fileLines"): each file over the ceiling, with its lines.
 */
describe('production file length', () => {
  it(`has no file over ${MAX_LINES} lines beyond the known ones`, () => {
    const breaches = ratchetCheck('fileLines', 'lines', () => {
      const lines = productionFiles().map((file) => [file, readSource(file).split('\n').length - 1] as const)
      return Object.fromEntries(lines.filter(([, count]) => count > MAX_LINES))
    })
    expect(breaches).toEqual([])
  })
})
