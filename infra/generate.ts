/**
 * Writes the Docker-mode files derived from infra/topology.ts: docker-compose.yml, the Prometheus and
 * Toxiproxy configurations, the Postgres init script and Grafana's provisioning. They are committed, so
 * `docker compose up` needs nothing but Docker; a test fails when they drift from the topology.
 *
 *   pnpm generate                               rewrite them
 *   node --import tsx infra/generate.ts --check  exit 1, listing the stale ones, without writing
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatedFiles } from './docker/files.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Paths (relative to the root) whose content on disk differs from what the topology generates. */
export function staleFiles (root = ROOT): string[] {
  return generatedFiles()
    .filter(({ path, content }) => {
      const file = join(root, path)
      return !existsSync(file) || readFileSync(file, 'utf8') !== content
    })
    .map(({ path }) => path)
}

function write (root = ROOT): string[] {
  const written: string[] = []
  for (const { path, content } of generatedFiles()) {
    const file = join(root, path)
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
    written.push(path)
  }
  return written
}

function main (args: string[]): number {
  if (args.includes('--check')) {
    const stale = staleFiles()
    if (stale.length === 0) return 0
    process.stderr.write(`Stale generated files (run \`pnpm generate\`):\n${stale.map((p) => `  ${p}`).join('\n')}\n`)
    return 1
  }
  const written = write()
  process.stdout.write(written.length === 0 ? 'Generated files are up to date.\n' : `Wrote:\n${written.map((p) => `  ${p}`).join('\n')}\n`)
  return 0
}

// Run as a script, not when a test imports staleFiles().
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
