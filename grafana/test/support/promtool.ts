import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { stringify } from 'yaml'

const run = promisify(execFile)

/**
 * Parses every expression with Prometheus' own parser, without a running Prometheus: each becomes a
 * recording rule in a throwaway rules file for `promtool check rules`. Resolves with promtool's
 * complaints ('' when all parse).
 */
export async function promtoolSyntaxErrors (exprs: Array<{ name: string, promql: string }>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-dashboards-'))
  const file = join(dir, 'dashboard-queries.yml')
  try {
    const rules = exprs.map(({ name, promql }) => ({ record: name.replace(/[^a-zA-Z0-9_:]/g, '_'), expr: promql }))
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }))
    try {
      await run('promtool', ['check', 'rules', file])
      return ''
    } catch (err) {
      const { code, stdout, stderr } = err as { code?: string | number, stdout?: string, stderr?: string }
      if (code === 'ENOENT') throw new Error('promtool not found on PATH (./lab up installs Debian\'s prometheus package, which has it)')
      return `${stdout ?? ''}${stderr ?? ''}`.trim()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
