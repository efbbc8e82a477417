import { Value } from '@sinclair/typebox/value'
import type { Static, TObject } from '@sinclair/typebox'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Reads a service's configuration from the environment once, at boot: defaults applied, strings
 * converted to the schema's types, then validated. Fails fast naming every bad variable. The result is
 * frozen and passed in; nothing else in a service reads `process.env`.
 */
export function loadConfig<T extends TObject> (schema: T, env: Record<string, string | undefined> = process.env): Readonly<Static<T>> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  const errors = [...Value.Errors(schema, converted)]
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.path.replace(/^\//, '') || '(root)'
      return `  ${name}: ${e.message} (got ${JSON.stringify(env[name] ?? null)})`
    })
    throw new ConfigError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`)
  }
  return Object.freeze(converted as Static<T>)
}
