import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateScenario, type Scenario } from '../lib/scenario.js'

/** load-tests/scenarios: one JSON file per scenario, read by the native driver and by k6. */
export const SCENARIOS_DIR = join(import.meta.dirname, '..', 'scenarios')

export function scenarioNames (dir = SCENARIOS_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort()
}

/** The scenario of that name, checked (lib/scenario.js); an unknown name lists the known ones. */
export function loadScenario (name: string, dir = SCENARIOS_DIR): Scenario {
  const names = scenarioNames(dir)
  if (!names.includes(name)) throw new Error(`no scenario ${JSON.stringify(name)}: one of ${names.join(', ')}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'))
  } catch (err) {
    throw new Error(`scenario ${name}: ${join(dir, `${name}.json`)} is not valid JSON`, { cause: err })
  }
  return validateScenario(parsed, name)
}
