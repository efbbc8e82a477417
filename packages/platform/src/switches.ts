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

export interface SwitchSetOptions<N extends string> {
  /** The patterns, kebab-case: `cache`, `single-flight`, `breaker-catalog`. */
  names: readonly N[]
  registry: Registry
  /** One line per switch, shown by GET /admin/switches' schema and in the docs. */
  descriptions?: Partial<Record<N, string>>
}

const SWITCH_NAME = /^[a-z][a-z0-9-]{0,62}$/

/** One gauge per registry, shared by every switch set registered on it. */
function patternGauge (registry: Registry): Gauge<'pattern'> {
  const existing = registry.getSingleMetric('lab_pattern_enabled')
  if (existing !== undefined) return existing as Gauge<'pattern'>
  return new Gauge({ name: 'lab_pattern_enabled', help: 'Pattern switches: 1 on (the default), 0 switched off by the lab', labelNames: ['pattern'] as const, registers: [registry] })
}

export function createSwitchSet<N extends string> (opts: SwitchSetOptions<N>): SwitchSet<N> {
  for (const name of opts.names) if (!SWITCH_NAME.test(name)) throw new Error(`switch name ${name} must be kebab-case`)
  if (new Set(opts.names).size !== opts.names.length) throw new Error('switch names must be unique')
  const gauge = patternGauge(opts.registry)
  const listeners: Array<(state: Readonly<Record<N, boolean>>) => void> = []
  const allOn = () => Object.freeze(Object.fromEntries(opts.names.map((n) => [n, true]))) as Readonly<Record<N, boolean>>
  let state = allOn()
  const publish = (next: Readonly<Record<N, boolean>>) => {
    state = next
    for (const name of opts.names) gauge.set({ pattern: name }, state[name] ? 1 : 0)
    for (const listener of listeners) listener(state)
    return state
  }
  publish(state)
  return {
    names: opts.names,
    enabled: (name) => state[name],
    current: () => state,
    set: (changes) => {
      for (const name of Object.keys(changes)) if (!opts.names.includes(name as N)) throw new Error(`unknown switch ${name}`)
      const defined = Object.entries(changes).filter(([, value]) => value !== undefined)
      return publish(Object.freeze({ ...state, ...Object.fromEntries(defined) }))
    },
    reset: () => publish(allOn()),
    onChange: (listener) => { listeners.push(listener) }
  }
}
