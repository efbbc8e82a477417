import { describe, expect, it } from 'vitest'
import { staleDashboardFiles, strayDashboardFiles } from '../src/generate.js'

describe('committed dashboards', () => {
  it('grafana/dashboards/*.json are exactly what the code in grafana/src generates (run `pnpm generate` when this fails)', () => {
    expect(staleDashboardFiles()).toEqual([])
  })

  it('grafana/dashboards holds no JSON that no dashboard generates', () => {
    expect(strayDashboardFiles()).toEqual([])
  })
})
