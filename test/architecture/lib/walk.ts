import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, workspaceOf } from './source-files.js'

export const ARCHITECTURE_DOC = 'docs/architecture.md'
export const BASELINE_HEADING = 'Baseline (2026-12-07, before the redesign)'
/** The same walk through today's code, checked against the working tree. */
export const CURRENT_HEADING = 'Current walk (2026-12-07, after the first redesign steps)'

/** Why a file is opened at a step: to follow a call, or only to find where the next call goes. */
export type Reason = 'call' | 'wiring'

export interface WalkStep { step: number, file: string, fn: string, reason: Reason, why: string }

export interface WalkCounts {
  files: number
  returns: number
  /** Files opened only for wiring at every one of their steps. */
  wiringOnly: number
  /** Top folders (`services/orders`, `packages/messaging`, `gateway`) the walk passes through. */
  workspaces: number
}

/** A markdown table row's cells, backticks and surrounding spaces removed. */
function cells (row: string): string[] {
  return row.trim().replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim().replace(/^`|`$/g, ''))
}

/** The section under `heading` (a `##`/`###` heading containing it), up to the next heading of any level. */
function section (markdown: string, heading: string): string {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => /^#{2,6} /.test(line) && line.includes(heading))
  if (start < 0) throw new Error(`${ARCHITECTURE_DOC}: no heading "${heading}"`)
  const end = lines.findIndex((line, i) => i > start && /^#{1,6} /.test(line))
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n')
}

/** The walk's table (`| step | file | function | opened for | why |`) of the section `heading`. */
export function parseWalk (markdown: string, heading = BASELINE_HEADING): WalkStep[] {
  const rows = section(markdown, heading).split('\n').filter((line) => /^\|\s*\d+\s*\|/.test(line))
  return rows.map((row) => {
    const [step, file, fn, reason, why] = cells(row)
    if (file === undefined || fn === undefined || (reason !== 'call' && reason !== 'wiring')) {
      throw new Error(`${ARCHITECTURE_DOC}: malformed walk row: ${row}`)
    }
    return { step: Number(step), file, fn, reason, why: why ?? '' }
  })
}

const STATED = /Counted: \*\*(\d+) files, (\d+) returns\*\* \(in (\d+) workspaces; (\d+) of the files are opened only for wiring\)/

/**
 * The counts the doc states for the walk of section `heading`, in the form
 * `Counted: **43 files, 5 returns** (in 6 workspaces; 12 of the files are opened only for wiring)`.
 */
export function statedCounts (markdown: string, heading = BASELINE_HEADING): WalkCounts {
  const match = STATED.exec(section(markdown, heading))
  if (match === null) throw new Error(`${ARCHITECTURE_DOC}: no "Counted: **N files, N returns** (in N workspaces; N of the files are opened only for wiring)" under "${heading}"`)
  return { files: Number(match[1]), returns: Number(match[2]), workspaces: Number(match[3]), wiringOnly: Number(match[4]) }
}

/**
 * The counting rule: a file counts once, when it is first opened; a return is a step in a file
 * opened at an earlier step but not at the step just before (reading on in the same file is none).
 */
export function countWalk (steps: WalkStep[]): WalkCounts {
  const opened = new Set<string>()
  const reasons = new Map<string, Set<Reason>>()
  let returns = 0
  let previous: string | undefined
  for (const { file, reason } of steps) {
    if (file !== previous && opened.has(file)) returns++
    opened.add(file)
    reasons.set(file, (reasons.get(file) ?? new Set()).add(reason))
    previous = file
  }
  const workspaces = new Set([...opened].map(workspaceOf))
  const wiringOnly = [...reasons.values()].filter((set) => set.size === 1 && set.has('wiring')).length
  return { files: opened.size, returns, wiringOnly, workspaces: workspaces.size }
}

export function readArchitectureDoc (): string {
  return readFileSync(join(REPO_ROOT, ARCHITECTURE_DOC), 'utf8')
}
