import { loadScenario, validateScenario, withOverrides, type Scenario } from '@lab/load-tests'

/**
 * The browse scenario (load-tests/scenarios/browse.json: Zipf over the 10,000 seeded products) at
 * another rate, duration and skew. The experiments that need a hot set use exponent 2: the scenario's
 * 1.1 puts a third of the reads on products read less than once per TTL, which no TTL cache can serve
 * (cache-model.ts: at most 68% hits at 30/s with the catalog's 60 s TTL).
 */
export function browseScenario ({ rate, durationSeconds, zipfExponent }: { rate: number, durationSeconds: number, zipfExponent?: number }): Scenario {
  const base = withOverrides(loadScenario('browse'), { rate, durationSeconds })
  if (zipfExponent === undefined) return base
  return validateScenario({ ...base, params: { ...base.params, zipfExponent } }, base.name)
}

/** The Zipf exponent of the hot-products browse. */
export const HOT_SKEW = 2
