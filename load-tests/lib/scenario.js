// @ts-check
/**
 * What a scenario file (load-tests/scenarios/*.json) may say, checked once, the same way by k6 and by
 * the native driver: a flow (what one iteration does), an open-model arrival rate, a duration, the
 * iterations allowed in flight, the statuses that are not errors, the flow's parameters, thresholds.
 * Plain JS with JSDoc types and no imports, so k6 loads it as it is.
 */

/** @typedef {'browse' | 'flash-sale' | 'checkout' | 'transfers' | 'burst'} FlowName */
/** @typedef {'latency' | 'timeToFinal' | 'errors' | 'unsettled' | 'status'} ThresholdMetric */

/**
 * One pass/fail rule on a figure of the run: `min` ≤ figure ≤ `max` (either or both).
 * - latency / timeToFinal (ms): stat p50, p90, p95, p99, avg or max; latency of one `request` name or all
 * - errors: stat rate, the share of requests answered with an unexpected status or not at all
 * - unsettled: stat rate, the share of checkouts with no final state within the flow's finalTimeoutMs
 * - status: the answers with this `status`: stat share (of all answers), perSecond or count
 * @typedef {{ metric: ThresholdMetric, stat: string, request?: string, status?: number, min?: number, max?: number }} Threshold
 */

/** @typedef {{ products: number, zipfExponent: number }} BrowseParams */
/** @typedef {{ path: string }} BurstParams */
/** @typedef {{ productId: number, units: number, customers: number, paymentMethod: 'wallet' | 'card' }} FlashSaleParams */
/** @typedef {{ products: number, customers: number, paymentMethod: 'wallet' | 'card', pollIntervalMs: number, finalTimeoutMs: number }} CheckoutParams */
/** @typedef {{ customers: number, minAmountCents: number, maxAmountCents: number }} TransferParams */

/**
 * @typedef {object} Scenario
 * @property {string} name the file's name without .json
 * @property {string} title
 * @property {string} description
 * @property {FlowName} flow
 * @property {number} rate iterations started per second (open model: whether or not earlier ones finished)
 * @property {number} durationSeconds
 * @property {number} vus iterations in flight at most (k6 VUs; native: connections)
 * @property {number[]} expectedStatuses
 * @property {Record<string, unknown>} params checked per flow (the typedefs above)
 * @property {Threshold[]} thresholds
 */

export const FLOWS = /** @type {const} */ (['browse', 'flash-sale', 'checkout', 'transfers', 'burst'])
const TIME_STATS = ['p50', 'p90', 'p95', 'p99', 'avg', 'max']
/** @type {Record<ThresholdMetric, string[]>} */
export const THRESHOLD_STATS = {
  latency: TIME_STATS,
  timeToFinal: TIME_STATS,
  errors: ['rate'],
  unsettled: ['rate'],
  status: ['share', 'perSecond', 'count']
}

/** @typedef {{ kind: 'int' | 'number' | 'path' | 'enum', min?: number, max?: number, values?: string[] }} ParamRule */
/** @type {Record<FlowName, Record<string, ParamRule>>} */
const PARAMS = {
  browse: { products: { kind: 'int', min: 1 }, zipfExponent: { kind: 'number', min: 0, max: 5 } },
  burst: { path: { kind: 'path' } },
  'flash-sale': { productId: { kind: 'int', min: 1 }, units: { kind: 'int', min: 0 }, customers: { kind: 'int', min: 1, max: 9999 }, paymentMethod: { kind: 'enum', values: ['wallet', 'card'] } },
  checkout: {
    products: { kind: 'int', min: 1 },
    customers: { kind: 'int', min: 1, max: 9999 },
    paymentMethod: { kind: 'enum', values: ['wallet', 'card'] },
    pollIntervalMs: { kind: 'int', min: 10 },
    finalTimeoutMs: { kind: 'int', min: 100 }
  },
  transfers: { customers: { kind: 'int', min: 2, max: 9999 }, minAmountCents: { kind: 'int', min: 1 }, maxAmountCents: { kind: 'int', min: 1 } }
}

/**
 * @param {unknown} value
 * @param {number} min
 * @param {number} [max]
 */
const isInt = (value, min, max = Number.MAX_SAFE_INTEGER) => Number.isSafeInteger(value) && /** @type {number} */ (value) >= min && /** @type {number} */ (value) <= max
/** @param {unknown} value */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value)
/** @param {unknown} value */
const show = (value) => JSON.stringify(value) ?? String(value)

/**
 * @param {unknown} rule
 * @param {string} where
 * @param {string[]} problems
 */
function checkThreshold (rule, where, problems) {
  if (!isRecord(rule)) { problems.push(`${where} must be an object`); return }
  const t = /** @type {Record<string, unknown>} */ (rule)
  const stats = THRESHOLD_STATS[/** @type {ThresholdMetric} */ (t.metric)]
  if (stats === undefined) { problems.push(`${where}.metric must be one of ${Object.keys(THRESHOLD_STATS).join(', ')} (got ${show(t.metric)})`); return }
  if (typeof t.stat !== 'string' || !stats.includes(t.stat)) problems.push(`${where}.stat of ${t.metric} must be one of ${stats.join(', ')} (got ${show(t.stat)})`)
  if (t.metric === 'status' ? !isInt(t.status, 100, 599) : t.status !== undefined) problems.push(`${where}.status must be an HTTP status for metric status, and only there (got ${show(t.status)})`)
  if (t.request !== undefined && (t.metric !== 'latency' || typeof t.request !== 'string' || !/^[a-z][a-z-]*$/.test(t.request))) problems.push(`${where}.request names a request of the flow, latency only (got ${show(t.request)})`)
  const bounds = ['min', 'max'].filter((k) => t[k] !== undefined)
  if (bounds.length === 0) problems.push(`${where} needs min, max or both`)
  for (const k of bounds) if (typeof t[k] !== 'number' || !Number.isFinite(t[k]) || t[k] < 0) problems.push(`${where}.${k} must be a number >= 0 (got ${show(t[k])})`)
  const known = ['metric', 'stat', 'request', 'status', 'min', 'max']
  for (const k of Object.keys(t)) if (!known.includes(k)) problems.push(`${where}: unknown field ${k}`)
}

/**
 * @param {FlowName} flow
 * @param {unknown} params
 * @param {string[]} problems
 */
function checkParams (flow, params, problems) {
  if (!isRecord(params)) { problems.push('params must be an object'); return }
  const p = /** @type {Record<string, unknown>} */ (params)
  const rules = PARAMS[flow]
  for (const [key, rule] of Object.entries(rules)) {
    const value = p[key]
    const ok = rule.kind === 'int'
      ? isInt(value, rule.min ?? 0, rule.max)
      : rule.kind === 'number'
        ? typeof value === 'number' && value >= (rule.min ?? 0) && value <= (rule.max ?? Infinity)
        : rule.kind === 'path'
          ? typeof value === 'string' && /^\/[\x21-\x7e]*$/.test(value)
          : rule.values?.includes(/** @type {string} */ (value)) === true
    const expected = rule.kind === 'enum' ? `one of ${rule.values?.join(', ')}` : rule.kind === 'path' ? 'a path starting with /' : `${rule.kind === 'int' ? 'an integer' : 'a number'} in ${rule.min ?? 0}..${rule.max ?? '∞'}`
    if (!ok) problems.push(`params.${key} (${flow}) must be ${expected} (got ${show(value)})`)
  }
  for (const key of Object.keys(p)) if (!(key in rules)) problems.push(`params: unknown field ${key} for flow ${flow}`)
  if (flow === 'transfers' && Number(p.minAmountCents) > Number(p.maxAmountCents)) problems.push('params.minAmountCents must not exceed params.maxAmountCents')
}

/**
 * The scenario in `value`, checked; throws one Error listing every problem, each naming its field.
 * @param {unknown} value parsed JSON
 * @param {string} name the file's name without .json
 * @returns {Scenario}
 */
export function validateScenario (value, name) {
  const problems = /** @type {string[]} */ ([])
  if (!isRecord(value)) throw new Error(`scenario ${name}: must be a JSON object`)
  const s = /** @type {Record<string, unknown>} */ (value)
  if (s.name !== name) problems.push(`name must be ${show(name)}, the file's name (got ${show(s.name)})`)
  for (const k of ['title', 'description']) if (typeof s[k] !== 'string' || s[k] === '') problems.push(`${k} must be a non-empty string`)
  const flowOk = FLOWS.includes(/** @type {FlowName} */ (s.flow))
  if (!flowOk) problems.push(`flow must be one of ${FLOWS.join(', ')} (got ${show(s.flow)})`)
  if (!isInt(s.rate, 1, 100_000)) problems.push(`rate must be an integer of iterations per second in 1..100000 (got ${show(s.rate)})`)
  if (!isInt(s.durationSeconds, 1, 86_400)) problems.push(`durationSeconds must be an integer in 1..86400 (got ${show(s.durationSeconds)})`)
  if (!isInt(s.vus, 1, 10_000)) problems.push(`vus must be an integer in 1..10000 (got ${show(s.vus)})`)
  if (!Array.isArray(s.expectedStatuses) || s.expectedStatuses.length === 0 || !s.expectedStatuses.every((c) => isInt(c, 100, 599))) {
    problems.push(`expectedStatuses must be a non-empty list of HTTP statuses (got ${show(s.expectedStatuses)})`)
  }
  if (flowOk) checkParams(/** @type {FlowName} */ (s.flow), s.params, problems)
  if (!Array.isArray(s.thresholds) || s.thresholds.length === 0) problems.push('thresholds must be a non-empty list')
  else s.thresholds.forEach((t, i) => { checkThreshold(t, `thresholds[${i}]`, problems) })
  const known = ['$comment', 'name', 'title', 'description', 'flow', 'rate', 'durationSeconds', 'vus', 'expectedStatuses', 'params', 'thresholds']
  for (const k of Object.keys(s)) if (!known.includes(k)) problems.push(`unknown field ${k}`)
  if (problems.length > 0) throw new Error(`scenario ${name}: ${problems.join('; ')}`)
  return /** @type {Scenario} */ (/** @type {unknown} */ (s))
}

/**
 * The scenario with a different rate, duration or base VUs (the command line's --rate and --duration,
 * k6's RATE and DURATION), checked again. VUs grow with the rate so the open model stays open.
 * @param {Scenario} scenario
 * @param {{ rate?: number, durationSeconds?: number }} overrides
 * @returns {Scenario}
 */
export function withOverrides (scenario, overrides) {
  const rate = overrides.rate ?? scenario.rate
  const vus = Math.max(1, Math.ceil(scenario.vus * rate / scenario.rate))
  return validateScenario({ ...scenario, rate, vus, durationSeconds: overrides.durationSeconds ?? scenario.durationSeconds }, scenario.name)
}
