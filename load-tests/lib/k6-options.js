// @ts-check
/**
 * A scenario's k6 options: one open-model executor (constant-arrival-rate: `rate` iterations start
 * every second whether or not the earlier ones finished; past `vus` in flight k6 drops them and counts
 * dropped_iterations) and one k6 threshold per scenario threshold, on k6's built-in metrics or on the
 * custom metrics k6CustomMetrics() lists (the script creates and feeds them). Pure, no k6 imports: the
 * test command checks what it derives without k6.
 * @see https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/constant-arrival-rate/
 * @see https://grafana.com/docs/k6/latest/using-k6/thresholds/
 */

/** @typedef {import('./scenario.js').Scenario} Scenario */
/** @typedef {import('./scenario.js').Threshold} Threshold */
/** @typedef {{ name: string, kind: 'rate' | 'counter' | 'trend', status?: number }} CustomMetric */

/** The same statistics as the native report. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max']

/** @param {string} stat */
const k6Stat = (stat) => /^p\d+$/.test(stat) ? `p(${stat.slice(1)})` : stat

/**
 * The k6 metric a threshold is on, e.g. `http_req_duration{name:place}` or `status_429`.
 * @param {Threshold} t
 * @returns {string}
 */
export function k6MetricName (t) {
  switch (t.metric) {
    case 'latency': return t.request === undefined ? 'http_req_duration' : `http_req_duration{name:${t.request}}`
    case 'timeToFinal': return 'time_to_final'
    case 'errors': return 'http_req_failed'
    case 'unsettled': return 'unsettled'
    case 'status': return t.stat === 'share' ? `status_${t.status}` : `status_${t.status}_count`
  }
}

/**
 * A threshold as k6 expressions, e.g. `p(99)<=250` or `rate>=0.5` and `rate<=0.9`.
 * @param {Threshold} t
 * @returns {string[]}
 */
export function k6Expressions (t) {
  // A k6 Counter's `rate` is per second and its `count` the total; a Rate's `rate` is a share.
  const stat = t.metric === 'status' ? (t.stat === 'count' ? 'count' : 'rate') : k6Stat(t.stat)
  return [...(t.min === undefined ? [] : [`${stat}>=${t.min}`]), ...(t.max === undefined ? [] : [`${stat}<=${t.max}`])]
}

/**
 * The custom metrics the scenario's thresholds need.
 * @param {Scenario} scenario
 * @returns {CustomMetric[]}
 */
export function k6CustomMetrics (scenario) {
  /** @type {Map<string, CustomMetric>} */
  const metrics = new Map()
  for (const t of scenario.thresholds) {
    const name = k6MetricName(t)
    if (t.metric === 'timeToFinal') metrics.set(name, { name, kind: 'trend' })
    if (t.metric === 'unsettled') metrics.set(name, { name, kind: 'rate' })
    if (t.metric === 'status') metrics.set(name, { name, kind: t.stat === 'share' ? 'rate' : 'counter', status: t.status })
  }
  return [...metrics.values()]
}

/**
 * The k6 options of a scenario.
 * @param {Scenario} scenario
 */
export function k6Options (scenario) {
  /** @type {Record<string, string[]>} */
  const thresholds = {}
  for (const t of scenario.thresholds) {
    const name = k6MetricName(t)
    thresholds[name] = [...(thresholds[name] ?? []), ...k6Expressions(t)]
  }
  const p = /** @type {Record<string, unknown>} */ (scenario.params)
  // A checkout iteration polls until its order is final: let the last ones finish before k6 stops them.
  const graceSeconds = scenario.flow === 'checkout' ? Math.ceil(Number(p.finalTimeoutMs) / 1000) + 5 : 10
  return {
    scenarios: {
      [scenario.name]: {
        executor: 'constant-arrival-rate',
        rate: scenario.rate,
        timeUnit: '1s',
        duration: `${scenario.durationSeconds}s`,
        preAllocatedVUs: scenario.vus,
        maxVUs: scenario.vus,
        gracefulStop: `${graceSeconds}s`
      }
    },
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS
  }
}
