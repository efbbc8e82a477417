/* eslint-disable no-template-curly-in-string -- ${name} is Grafana's variable syntax, not a template literal */
import { describe, expect, it } from 'vitest'
import { builtInVariables, substitute } from './support/grafana-variables.js'

describe('Grafana variables as the live dashboard test substitutes them', () => {
  it('gives $__rate_interval four scrape intervals on a short range, and $__interval plus one on a long one', () => {
    expect(builtInVariables(1800, 5)).toMatchObject({ __interval: '5s', __rate_interval: '20s', __range: '1800s' })
    expect(builtInVariables(86_400, 5)).toMatchObject({ __interval: '87s', __rate_interval: '92s', __interval_ms: '87000' })
  })

  it('replaces $name and ${name}, and refuses a variable it has no value for', () => {
    expect(substitute('rate(x{job=~"$job"}[${__rate_interval}])', { job: '.+', __rate_interval: '20s' })).toBe('rate(x{job=~".+"}[20s])')
    expect(() => substitute('rate(x[$__rate_interval])', {})).toThrow(/unknown variable \$__rate_interval/)
  })
})
