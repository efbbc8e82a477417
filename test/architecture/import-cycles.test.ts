import { describe, expect, it } from 'vitest'
import { importCycles, importEdges } from './lib/import-graph.js'
import { ratchetCheck } from './lib/ratchet.js'
import { productionFiles } from './lib/source-files.js'

/**
 * No import cycle in production code (issue 12, "Targets"). The graph is built here from the source
 * with the TypeScript compiler's parser: relative imports (`./x.js` is `./x.ts`) and workspace
 * packages (`@lab/platform` through its package.json `exports`), static, re-exports and dynamic
 * `import()`. `import type` and `export type ... from` are erased by the compiler, so they make no
 * runtime edge: they are counted and printed apart, not checked.
 *
 * Production code: services/*\/src, gateway/src, packages/*\/src, infra/**, less tests and test
 * helpers (any `test/` folder, `*.test.ts`) and generated files (source-files.ts, productionFiles).
 *
 * Allowlist (known-offenders.json, "importCycles"): each file in a cycle, with the number of files in
 * its cycle (its strongly connected component).
 */
describe('import cycles in production code', () => {
  it('has no runtime import cycle beyond the known ones', () => {
    const breaches = ratchetCheck('importCycles', 'files in its cycle', () => {
      const files = productionFiles()
      const edges = importEdges(files)
      const cycles = importCycles(files, edges)
      const typeCycles = importCycles(files, edges.map((edge) => ({ ...edge, typeOnly: false })))
      console.log(`${files.length} files, ${edges.filter((e) => e.to !== undefined && !e.typeOnly).length} runtime and ` +
        `${edges.filter((e) => e.to !== undefined && e.typeOnly).length} type-only imports of our own files; ` +
        `${cycles.length} runtime cycles, ${typeCycles.length} once type-only imports are counted too`)
      for (const cycle of cycles) console.log(`  cycle: ${cycle.join(' <-> ')}`)
      return Object.fromEntries(cycles.flatMap((cycle) => cycle.map((file) => [file, cycle.length])))
    })
    expect(breaches).toEqual([])
  })
})
