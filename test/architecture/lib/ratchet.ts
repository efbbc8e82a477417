import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './source-files.js'

/** The checks with an allowlist in test/architecture/known-offenders.json. */
export type CheckName = 'importCycles' | 'fileLines' | 'functionLines' | 'duplicates'

export const KNOWN_OFFENDERS_FILE = 'test/architecture/known-offenders.json'

/** Today's offenders of one check: what each one measures (lines, files in its cycle, ...). */
export type Offenders = Record<string, number>

export function knownOffenders (check: CheckName): Offenders {
  const all = JSON.parse(readFileSync(join(REPO_ROOT, KNOWN_OFFENDERS_FILE), 'utf8')) as Partial<Record<CheckName, Offenders>>
  return all[check] ?? {}
}

/**
 * The ratchet: the allowlist may only shrink. Compares what a check measured now (its offenders only)
 * with the allowlist. Breaches fail the check:
 * - an offender that is not listed (a new one),
 * - a listed offender that got worse than its listed value,
 * - a listed offender that is no offender any more, so the list cannot hide a later relapse.
 * A listed offender that improved but still offends is only a notice (its figure may be lowered): the
 * redesign moves code in small steps, and each step should not have to touch the list.
 */
export function compareWithAllowlist (listed: Offenders, measured: Offenders, unit: string): { breaches: string[], notices: string[] } {
  const breaches: string[] = []
  const notices: string[] = []
  for (const [key, value] of Object.entries(measured)) {
    const allowed = listed[key]
    if (allowed === undefined) breaches.push(`new offender: ${key} (${value} ${unit})`)
    else if (value > allowed) breaches.push(`worse: ${key} is ${value} ${unit}, listed at ${allowed} in ${KNOWN_OFFENDERS_FILE}`)
    else if (value < allowed) notices.push(`better: ${key} is ${value} ${unit}, listed at ${allowed} (the figure in ${KNOWN_OFFENDERS_FILE} may be lowered)`)
  }
  for (const key of Object.keys(listed)) {
    if (!(key in measured)) breaches.push(`fixed: ${key} is no offender any more: remove it from known-offenders.json`)
  }
  return { breaches, notices }
}

/**
 * Measures one check, prints today's figure (offenders, listed ones, time taken) and any notices, and
 * returns the breaches for the test to assert empty.
 */
export function ratchetCheck (check: CheckName, unit: string, measure: () => Offenders): string[] {
  const started = performance.now()
  const measured = measure()
  const listed = knownOffenders(check)
  const { breaches, notices } = compareWithAllowlist(listed, measured, unit)
  const ms = Math.round(performance.now() - started)
  console.log(`${check}: ${Object.keys(measured).length} offenders (${Object.keys(listed).length} listed in ${KNOWN_OFFENDERS_FILE}), measured in ${ms} ms`)
  for (const notice of notices) console.log(`  ${notice}`)
  return breaches
}
