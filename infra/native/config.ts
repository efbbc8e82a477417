import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder (infra/native/ is two levels below it). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/**
 * The one place the native runner reads the environment. Read on each call, not at import time, so a
 * caller (a test's global setup) may set LAB_HOME before it first asks.
 */
export function labHome (): string {
  const home = process.env.LAB_HOME
  if (home === undefined || home === '') return join(repoRoot, '.lab')
  return isAbsolute(home) ? home : resolve(home)
}

/** The environment the lab's processes inherit (PATH and friends), before their own variables. */
export function inheritedEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  return env
}

/** When ./lab started (ms since the epoch, set by bootstrap.sh), to report the time users wait. */
export function labStartedAt (): number | undefined {
  const value = Number(process.env.LAB_STARTED_MS)
  return Number.isFinite(value) && value > 0 ? value : undefined
}
