import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root: this file is test/architecture/lib/source-files.ts. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Never source of ours: installed packages, the native lab's runtime folder, build output, git. */
const SKIPPED_DIRS = new Set(['node_modules', '.lab', 'dist', '.git', 'coverage'])

/**
 * Every TypeScript file below `dir` (relative to the root), as root-relative paths with `/`. JavaScript
 * is left out: the lab's code is TypeScript, and the few .js files are configuration (eslint).
 */
export function typescriptFilesUnder (dir: string): string[] {
  const found: string[] = []
  const visit = (absolute: string): void => {
    let entries
    try {
      entries = readdirSync(absolute, { withFileTypes: true })
    } catch {
      return // a folder listed by a pattern but absent here
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(join(absolute, entry.name))
      } else if (entry.isFile() && /\.(?:ts|mts|cts)$/.test(entry.name)) {
        found.push(relative(REPO_ROOT, join(absolute, entry.name)).split(sep).join('/'))
      }
    }
  }
  visit(join(REPO_ROOT, dir))
  return found.sort()
}

/** The folders one level below `dir` (e.g. every service of `services`). */
function subdirectories (dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name))
    .map((entry) => `${dir}/${entry.name}`)
}

/** A test or a test helper: `*.test.ts`, or anything under a `test/` (or `tests/`) folder. */
export function isTestFile (path: string): boolean {
  return /\.test\.[cm]?ts$/.test(path) || path.split('/').some((part) => part === 'test' || part === 'tests')
}

/** Experiments and benchmarks (bench/, and a service's own bench/): programs that measure the lab. */
export function isExperimentOrBenchmark (path: string): boolean {
  return /^(?:experiments|bench)\//.test(path) || path.split('/').includes('bench')
}

/**
 * Written by a generator (the conventional markers `@generated` or `DO NOT EDIT` in its first lines):
 * its size is the generator's business. None of the lab's TypeScript is generated today (the generated
 * Compose, Prometheus and Grafana files are YAML and JSON); the rule is here for when one is.
 */
export function isGenerated (path: string): boolean {
  const head = readFileSync(join(REPO_ROOT, path), 'utf8').slice(0, 400)
  return /@generated\b|DO NOT EDIT/.test(head)
}

/**
 * The production code the structure checks hold to: what runs in the lab's services and tools,
 * services/*\/src, gateway/src, packages/*\/src and infra/**, less tests and test helpers (any `test/`
 * folder, `*.test.ts`) and generated files. Benchmarks beside a service (`services/inventory/bench`)
 * are outside `src` and so outside the set.
 */
export function productionFiles (): string[] {
  const roots = [
    ...subdirectories('services').map((service) => `${service}/src`),
    'gateway/src',
    ...subdirectories('packages').map((pkg) => `${pkg}/src`),
    'infra'
  ]
  return roots.flatMap(typescriptFilesUnder).filter((path) => !isTestFile(path) && !isGenerated(path)).sort()
}

/**
 * Every TypeScript file of the repository but experiments and benchmarks: the scope of the function
 * length check (the issue's rule: "no function over 60 lines outside experiments and benchmarks").
 */
export function allButExperimentsAndBenchmarks (): string[] {
  const roots = readdirSync(REPO_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
  const topLevel = readdirSync(REPO_ROOT).filter((name) => /\.(?:ts|mts|cts)$/.test(name))
  return [...topLevel, ...roots.flatMap(typescriptFilesUnder)]
    .filter((path) => !isExperimentOrBenchmark(path) && !isGenerated(path))
    .sort()
}

/**
 * The workspace a file belongs to, for the duplicate check: `services/<name>`, `packages/<name>`, or
 * the top folder (`gateway`, `infra`, ...).
 */
export function workspaceOf (path: string): string {
  const [top, second] = path.split('/')
  return top === 'services' || top === 'packages' ? `${top}/${second}` : (top ?? path)
}

export function readSource (path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8')
}
