import { Gauge, type Registry } from 'prom-client'

/**
 * A service's pattern switches: each pattern it implements (cache, single flight, a breaker, ...) can be
 * turned off at run time so a user sees the failure the pattern prevents, then on again. Every switch is
 * on by default; the set is fixed at build time (a name outside it is a 400 at the admin route, never a
 * new switch). The state is mirrored in `lab_pattern_enabled{pattern}` (1 on, 0 off), so a dashboard
 * shows when a pattern was off beside its effect.
 */
export interface SwitchSet<N extends string = string> {
  readonly names: readonly N[]
  /** What each switch does (its definition), for the admin route's schema. */
  readonly descriptions: SwitchDefinitions<N>
  // Method syntax: a SwitchSet<'cache'> is usable where any SwitchSet is taken (the admin route).
  enabled (name: N): boolean
  current (): Readonly<Record<N, boolean>>
  /** Changes the switches given, keeps the others; answers the new state. */
  set (changes: Partial<Record<N, boolean>>): Readonly<Record<N, boolean>>
  /** Every switch back on. */
  reset (): Readonly<Record<N, boolean>>
  /** Called after each change with the new state (e.g. to turn a breaker off). */
  onChange (listener: (state: Readonly<Record<N, boolean>>) => void): void
}

/**
 * A service's switches, each defined once: its name, kebab-case (`cache`, `single-flight`,
 * `breaker-catalog`) → one line saying what the pattern does and what a user sees with it off. All
 * start on (the default of every switch), and DELETE /admin/switches turns them all back on.
 */
export type SwitchDefinitions<N extends string = string> = Readonly<Record<N, string>>

export interface SwitchSetOptions<N extends string> {
  definitions: SwitchDefinitions<N>
  registry: Registry
}

const SWITCH_NAME = /^[a-z][a-z0-9-]{0,62}$/

/** One gauge per registry, shared by every switch set registered on it. */
function patternGauge (registry: Registry): Gauge<'pattern'> {
  const existing = registry.getSingleMetric('lab_pattern_enabled')
  if (existing !== undefined) return existing as Gauge<'pattern'>
  return new Gauge({ name: 'lab_pattern_enabled', help: 'Pattern switches: 1 on (the default), 0 switched off by the lab', labelNames: ['pattern'] as const, registers: [registry] })
}

export function createSwitchSet<N extends string> ({ definitions, registry }: SwitchSetOptions<N>): SwitchSet<N> {
  const names = Object.freeze(Object.keys(definitions) as N[])
  for (const name of names) if (!SWITCH_NAME.test(name)) throw new Error(`switch name ${name} must be kebab-case`)
  const gauge = patternGauge(registry)
  const listeners: Array<(state: Readonly<Record<N, boolean>>) => void> = []
  const allOn = () => Object.freeze(Object.fromEntries(names.map((n) => [n, true]))) as Readonly<Record<N, boolean>>
  let state = allOn()
  const publish = (next: Readonly<Record<N, boolean>>) => {
    state = next
    for (const name of names) gauge.set({ pattern: name }, state[name] ? 1 : 0)
    for (const listener of listeners) listener(state)
    return state
  }
  publish(state)
  return {
    names,
    descriptions: definitions,
    enabled: (name) => state[name],
    current: () => state,
    set: (changes) => {
      for (const name of Object.keys(changes)) if (!names.includes(name as N)) throw new Error(`unknown switch ${name}`)
      const defined = Object.entries(changes).filter(([, value]) => value !== undefined)
      return publish(Object.freeze({ ...state, ...Object.fromEntries(defined) }))
    },
    reset: () => publish(allOn()),
    onChange: (listener) => { listeners.push(listener) }
  }
}
