import { stripVTControlCharacters } from 'node:util'
import { componentStates } from '../components/states.js'
import { treeMemoryMb } from '../processes.js'
import type { CommandContext } from './context.js'

/** Formats rows as aligned columns (colour codes take no room on screen). */
export function table (rows: string[][]): string {
  const width = (cell: string | undefined) => stripVTControlCharacters(cell ?? '').length
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => width(r[i])))) ?? []
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell))).join('  ').trimEnd()).join('\n')
}

export async function status ({ paths, components, reporter }: CommandContext): Promise<number> {
  const rows = (await componentStates(paths, components)).map(({ component: c, pid, healthy }) => {
    const health = healthy ? reporter.style('green', 'yes') : pid === undefined ? 'no' : reporter.style('yellow', 'no')
    const memory = pid === undefined ? undefined : treeMemoryMb(pid)
    const mb = (n: number | undefined) => (n === undefined ? '-' : `${n} MiB`)
    return [c.name, pid === undefined ? (healthy ? '(external)' : '-') : String(pid), String(c.port), health, mb(memory?.rss), mb(memory?.pss)]
  })
  // Memory covers each component's child processes too (Postgres' backends).
  reporter.print(table([['component', 'pid', 'port', 'healthy', 'rss', 'pss'], ...rows]))
  return 0
}
