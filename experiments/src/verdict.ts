import type { Verdict } from './types.js'

const show = (n: number, unit: string) => `${Number.isInteger(n) ? n : Number(n.toPrecision(3))}${unit === '' ? '' : ` ${unit}`}`

/** measured ≥ min. NaN (nothing measured) always fails. */
export function atLeast (name: string, measured: number, min: number, unit = ''): Verdict {
  return { name, measured, unit, threshold: `≥ ${show(min, unit)}`, pass: measured >= min }
}

/** measured ≤ max. */
export function atMost (name: string, measured: number, max: number, unit = ''): Verdict {
  return { name, measured, unit, threshold: `≤ ${show(max, unit)}`, pass: measured <= max }
}

/** min ≤ measured ≤ max. */
export function between (name: string, measured: number, min: number, max: number, unit = ''): Verdict {
  return { name, measured, unit, threshold: `${show(min, unit)} … ${show(max, unit)}`, pass: measured >= min && measured <= max }
}

/** measured = expected exactly (counts). */
export function exactly (name: string, measured: number, expected: number, unit = ''): Verdict {
  return { name, measured, unit, threshold: `= ${show(expected, unit)}`, pass: measured === expected }
}

export function formatMeasured (v: Pick<Verdict, 'measured' | 'unit'>): string {
  return Number.isNaN(v.measured) ? 'not measured' : show(v.measured, v.unit)
}
