import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ImportEdge } from './import-graph.js'
import { REPO_ROOT, isTestFile, typescriptFilesUnder, workspaceOf } from './source-files.js'

/** The lab's services, by folder (`services/<name>`, `gateway`) and by package name (`@lab/<name>`). */
export interface Services { folders: Set<string>, byPackage: Map<string, string> }

export function labServices (): Services {
  const folders = ['gateway', ...readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `services/${entry.name}`)]
  const byPackage = new Map<string, string>()
  for (const folder of folders) {
    const manifest = join(REPO_ROOT, folder, 'package.json')
    if (!existsSync(manifest)) continue
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }
    if (name !== undefined) byPackage.set(name, folder)
  }
  return { folders: new Set(folders), byPackage }
}

/** A service's tests and test helpers: `*.test.ts` or anything under a `test/` folder of services/<name> or gateway. */
export function serviceTestFiles (services: Services): string[] {
  return [...services.folders].flatMap(typescriptFilesUnder).filter(isTestFile)
}

export interface Crossing { from: string, specifier: string, service: string }

/**
 * The imports by which a test of one service reaches into another service's code (its src or its
 * test helpers): a relative path that lands in the other service's folder, or its package name
 * (`@lab/provider/src/app.js`: services declare no `exports`, so the import graph leaves it
 * unresolved). Type-only imports count too: a test that needs another service's types should find
 * them where both sides agree on them (@lab/contracts).
 */
export function crossServiceImports (edges: ImportEdge[], services: Services): Crossing[] {
  const crossings: Crossing[] = []
  for (const { from, to, specifier } of edges) {
    const own = workspaceOf(from)
    const packageName = /^@lab\/[^/]+/.exec(specifier)?.[0]
    const target = to !== undefined ? workspaceOf(to) : packageName !== undefined ? services.byPackage.get(packageName) : undefined
    if (target !== undefined && target !== own && services.folders.has(target)) crossings.push({ from, specifier, service: target })
  }
  return crossings
}
