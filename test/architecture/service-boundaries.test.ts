import { describe, expect, it } from 'vitest'
import { importEdges, type ImportEdge } from './lib/import-graph.js'
import { crossServiceImports, labServices, serviceTestFiles } from './lib/service-boundaries.js'

/**
 * A service's tests reach another service as production does, over HTTP or Kafka, never through its
 * source (issue 12, item 9): no test or test helper of services/<name> or gateway imports a file of
 * another service, its src or its test helpers, by relative path or by package name. The other
 * service runs as its own process (startService in @lab/testkit), or the test speaks its protocol
 * itself (events on Kafka, a stand-in HTTP server).
 *
 * Not held to it: tests about several services by design, which live outside every service (the
 * end-to-end suite in test/e2e, the contract test in packages/contracts, test/config, test/errors).
 */
describe('service boundaries in tests', () => {
  it('has no test of one service importing another service\'s code', () => {
    const services = labServices()
    const files = serviceTestFiles(services)
    const crossings = crossServiceImports(importEdges(files), services)
    console.log(`${files.length} test files of ${services.folders.size} services; ${crossings.length} imports into another service`)
    expect(crossings.map((c) => `${c.from} imports ${c.specifier} (${c.service})`)).toEqual([])
  })

  it('tells an import into another service from one within the service or into a package', () => {
    const services = { folders: new Set(['gateway', 'services/catalog', 'services/provider']), byPackage: new Map([['@lab/provider', 'services/provider']]) }
    const edge = (from: string, specifier: string, to: string | undefined, typeOnly = false): ImportEdge => ({ from, to, specifier, typeOnly })
    const edges = [
      edge('gateway/test/a.test.ts', '../../services/catalog/src/app.js', 'services/catalog/src/app.ts'),
      edge('gateway/test/a.test.ts', '../../services/catalog/test/build.js', 'services/catalog/test/build.ts'),
      edge('services/catalog/test/b.test.ts', '@lab/provider/src/config.js', undefined),
      edge('services/catalog/test/b.test.ts', '../../provider/src/errors.js', 'services/provider/src/errors.ts', true),
      edge('services/catalog/test/b.test.ts', '../src/app.js', 'services/catalog/src/app.ts'),
      edge('services/catalog/test/b.test.ts', '@lab/testkit', 'packages/testkit/src/index.ts'),
      edge('gateway/test/a.test.ts', 'vitest', undefined)
    ]
    expect(crossServiceImports(edges, services).map((c) => [c.from, c.service])).toEqual([
      ['gateway/test/a.test.ts', 'services/catalog'],
      ['gateway/test/a.test.ts', 'services/catalog'],
      ['services/catalog/test/b.test.ts', 'services/provider'],
      ['services/catalog/test/b.test.ts', 'services/provider']
    ])
  })
})
