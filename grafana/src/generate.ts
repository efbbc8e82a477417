/**
 * Writes the dashboards (grafana/dashboards/*.json) from their code in grafana/src/dashboards/. The
 * JSON is committed, so Grafana in Docker needs nothing but its provisioning; a test fails when the
 * JSON is stale.
 *
 *   pnpm generate                                   (runs this after infra/generate.ts)
 *   node --import tsx grafana/src/generate.ts --check  exit 1, listing stale or stray files, writing nothing
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DASHBOARDS_DIR, dashboardFiles } from './index.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** JSON files in the dashboards folder that no dashboard generates (renamed or removed ones). */
export function strayDashboardFiles (root = ROOT): string[] {
  const dir = join(root, DASHBOARDS_DIR)
  if (!existsSync(dir)) return []
  const wanted = new Set(dashboardFiles().map((f) => f.path))
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => `${DASHBOARDS_DIR}/${f}`).filter((p) => !wanted.has(p))
}

/** Generated dashboards whose committed JSON is missing or differs. */
export function staleDashboardFiles (root = ROOT): string[] {
  return dashboardFiles()
    .filter(({ path, content }) => {
      const file = join(root, path)
      return !existsSync(file) || readFileSync(file, 'utf8') !== content
    })
    .map(({ path }) => path)
}

function write (root = ROOT): string[] {
  const changed: string[] = []
  for (const { path, content } of dashboardFiles()) {
    const file = join(root, path)
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
    changed.push(`wrote ${path}`)
  }
  for (const path of strayDashboardFiles(root)) {
    rmSync(join(root, path))
    changed.push(`removed ${path}`)
  }
  return changed
}

function main (args: string[]): number {
  if (args.includes('--check')) {
    const wrong = [...staleDashboardFiles(), ...strayDashboardFiles()]
    if (wrong.length === 0) return 0
    process.stderr.write(`Stale dashboards (run \`pnpm generate\`):\n${wrong.map((p) => `  ${p}`).join('\n')}\n`)
    return 1
  }
  const changed = write()
  process.stdout.write(changed.length === 0 ? 'Dashboards are up to date.\n' : `Dashboards:\n${changed.map((p) => `  ${p}`).join('\n')}\n`)
  return 0
}

// Run as a script, not when a test imports the checks.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
