import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import ts from 'typescript'
import { REPO_ROOT, readSource } from './source-files.js'

/** One import of one file: what it names and whether it survives compilation. */
export interface ImportEdge {
  from: string
  /** The imported file (root-relative), or undefined when it is not ours (a package from npm, node:). */
  to: string | undefined
  specifier: string
  /** `import type` / `export type ... from`: erased by the compiler, no runtime edge. */
  typeOnly: boolean
}

/** Where a workspace's package name points: its folder and its `exports` map. */
interface Workspace { dir: string, exports: Record<string, string> }

/** The workspaces of pnpm-workspace.yaml that name themselves `@lab/...`, by package name. */
function labWorkspaces (): Map<string, Workspace> {
  const found = new Map<string, Workspace>()
  const candidates = ['gateway', 'grafana', 'infra', 'load-tests', 'experiments']
  for (const parent of ['packages', 'services']) {
    for (const entry of readdirSync(join(REPO_ROOT, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) candidates.push(`${parent}/${entry.name}`)
    }
  }
  for (const dir of candidates) {
    const manifest = join(REPO_ROOT, dir, 'package.json')
    if (!existsSync(manifest)) continue
    const { name, exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string, exports?: string | Record<string, string> }
    if (name === undefined || !name.startsWith('@lab/')) continue
    found.set(name, { dir, exports: typeof exports === 'string' ? { '.': exports } : exports ?? {} })
  }
  return found
}

/** A file path as written (`./x.js`, `./dir`) to the TypeScript file it is: `.js` → `.ts`, a folder → its index. */
function resolveFile (candidate: string): string | undefined {
  const stem = candidate.replace(/\.(?:[cm]?js|[cm]?ts)$/, '')
  const tries = [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${stem}.d.ts`, `${candidate}/index.ts`, candidate]
  return tries.find((path) => existsSync(join(REPO_ROOT, path)) && /\.[cm]?ts$/.test(path))
}

/** `@lab/platform/logger` → packages/platform/src/logger.ts, through the package's `exports` (wildcards included). */
function resolveWorkspaceImport (specifier: string, workspaces: Map<string, Workspace>): string | undefined {
  const [scope, name, ...rest] = specifier.split('/')
  const workspace = workspaces.get(`${scope}/${name}`)
  if (workspace === undefined) return undefined
  const subpath = rest.length === 0 ? '.' : `./${rest.join('/')}`
  for (const [pattern, target] of Object.entries(workspace.exports)) {
    if (pattern === subpath) return resolveFile(posix.join(workspace.dir, target))
    const star = pattern.indexOf('*')
    if (star < 0) continue
    const [before, after] = [pattern.slice(0, star), pattern.slice(star + 1)]
    if (subpath.startsWith(before) && subpath.endsWith(after)) {
      const matched = subpath.slice(before.length, subpath.length - after.length)
      return resolveFile(posix.join(workspace.dir, target.replace('*', matched)))
    }
  }
  return undefined
}

/** The specifiers a file imports: static imports, re-exports and dynamic `import('...')` with a literal. */
function importsOf (path: string): Array<{ specifier: string, typeOnly: boolean }> {
  const source = ts.createSourceFile(path, readSource(path), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const found: Array<{ specifier: string, typeOnly: boolean }> = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A } from` stays as `import {} from` under verbatimModuleSyntax: a runtime edge.
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly === true })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly })
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly })
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      if (argument !== undefined && ts.isStringLiteralLike(argument)) found.push({ specifier: argument.text, typeOnly: false })
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Every import of every file in `files`, resolved to our own files where it is one. */
export function importEdges (files: string[]): ImportEdge[] {
  const workspaces = labWorkspaces()
  return files.flatMap((from) => importsOf(from).map(({ specifier, typeOnly }) => {
    const to = specifier.startsWith('.')
      ? resolveFile(posix.join(dirname(from), specifier))
      : specifier.startsWith('@lab/') ? resolveWorkspaceImport(specifier, workspaces) : undefined
    return { from, to, specifier, typeOnly }
  }))
}

/**
 * The import cycles among `files` on runtime edges: the strongly connected components of more than one
 * file (or a file importing itself), each sorted, by Tarjan's algorithm.
 * @see https://en.wikipedia.org/wiki/Tarjan%27s_strongly_connected_components_algorithm
 */
export function importCycles (files: string[], edges: ImportEdge[]): string[][] {
  const inSet = new Set(files)
  const next = new Map<string, Set<string>>(files.map((file) => [file, new Set()]))
  for (const { from, to, typeOnly } of edges) {
    if (!typeOnly && to !== undefined && inSet.has(to)) next.get(from)?.add(to)
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  let counter = 0
  const connect = (file: string): void => {
    index.set(file, counter)
    low.set(file, counter)
    counter++
    stack.push(file)
    onStack.add(file)
    for (const target of next.get(file) ?? []) {
      if (!index.has(target)) {
        connect(target)
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) as number, index.get(target) as number))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    for (;;) {
      const member = stack.pop() as string
      onStack.delete(member)
      component.push(member)
      if (member === file) break
    }
    if (component.length > 1 || next.get(file)?.has(file) === true) components.push(component.sort())
  }
  for (const file of files) if (!index.has(file)) connect(file)
  return components.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))
}
