// @ts-check
/* global __ENV, open */
/**
 * What every k6 script here shares: the scenario's data (load-tests/scenarios/<name>.json, the same
 * file the native driver reads), its k6 options (../lib/k6-options.js), and one iteration of its flow
 * (../lib/requests.js). Everything else comes from the environment:
 *   BASE_URL       the gateway (default http://127.0.0.1:8080; in Docker http://gateway:8080)
 *   SCENARIOS_DIR  where the scenario files are (default /load-tests/scenarios, the Docker mount)
 *   INVENTORY_URL  inventory itself, for the flash sale's stock (default http://127.0.0.1:7201)
 *   RATE, DURATION override the scenario's iterations per second and seconds
 * k6 is AGPL: never installed or run on our machines; `./lab test` type-checks these files.
 */
import http from 'k6/http'
import { sleep } from 'k6'
import { Counter, Rate, Trend } from 'k6/metrics'
import { k6CustomMetrics, k6Options } from '../lib/k6-options.js'
import { createIterationRequest, FINAL_ORDER_STATUSES, pollRequest, restockRequest, uuidFrom } from '../lib/requests.js'
import { validateScenario, withOverrides } from '../lib/scenario.js'

/** @typedef {import('../lib/requests.js').LoadRequest} LoadRequest */

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080'
const SCENARIOS_DIR = __ENV.SCENARIOS_DIR || '/load-tests/scenarios'
const INVENTORY_URL = __ENV.INVENTORY_URL || 'http://127.0.0.1:7201'

/** @param {string | undefined} value @param {string} name */
function positiveInt (value, name) {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got ${JSON.stringify(value)}`)
  return n
}

/**
 * The k6 pieces of one scenario; call it in the init context (it reads the scenario file with open()).
 * @param {string} name
 */
export function scenarioScript (name) {
  const scenario = withOverrides(validateScenario(JSON.parse(open(`${SCENARIOS_DIR}/${name}.json`)), name), {
    rate: positiveInt(__ENV.RATE, 'RATE'),
    durationSeconds: positiveInt(__ENV.DURATION, 'DURATION')
  })
  const params = /** @type {Record<string, any>} */ (scenario.params)
  // A status that is expected is not a failure in http_req_failed (k6 counts >= 400 as failed otherwise).
  http.setResponseCallback(http.expectedStatuses(...scenario.expectedStatuses))
  const custom = k6CustomMetrics(scenario)
  const statusMetrics = custom.filter((m) => m.status !== undefined).map((m) => ({ status: m.status, metric: m.kind === 'rate' ? new Rate(m.name) : new Counter(m.name) }))
  const timeToFinal = custom.some((m) => m.name === 'time_to_final') ? new Trend('time_to_final', true) : undefined
  const unsettled = custom.some((m) => m.name === 'unsettled') ? new Rate('unsettled') : undefined
  const next = createIterationRequest(scenario, { random: Math.random, newKey: () => uuidFrom(Math.random) })

  /** @param {LoadRequest} req */
  function send (req) {
    const res = http.request(req.method, `${BASE_URL}${req.path}`, req.body ?? null, { headers: req.headers ?? {}, tags: { name: req.name } })
    // Every answer feeds every status metric (a Counter gets 0 for the others), so none is left empty.
    for (const { status, metric } of statusMetrics) metric.add(res.status === status ? 1 : 0)
    return res
  }

  /** Checkout: poll the order until it is final, or give up after finalTimeoutMs. @param {string} orderId @param {number} sentAt */
  function pollToFinal (orderId, sentAt) {
    while (Date.now() - sentAt < params.finalTimeoutMs) {
      sleep(params.pollIntervalMs / 1000)
      const res = send(pollRequest(orderId))
      if (res.status === 200 && FINAL_ORDER_STATUSES.includes(String(res.json('status')))) {
        timeToFinal?.add(Date.now() - sentAt)
        unsettled?.add(false)
        return
      }
    }
    unsettled?.add(true)
  }

  return {
    options: k6Options(scenario),
    iteration () {
      const sentAt = Date.now()
      const res = send(next())
      if (scenario.flow === 'checkout' && res.status === 201) pollToFinal(String(res.json('id')), sentAt)
    },
    /** The flash sale's stock, set on inventory before the sale starts (k6 runs setup() once). */
    setup () {
      if (scenario.flow !== 'flash-sale') return
      const url = `${INVENTORY_URL}/stock/${params.productId}`
      const current = http.get(url)
      if (current.status !== 200) throw new Error(`GET ${url} answered ${current.status}: is INVENTORY_URL right?`)
      const { path, body } = restockRequest(/** @type {any} */ (params), { priceCents: Number(current.json('priceCents')) })
      const put = http.put(`${INVENTORY_URL}${path}`, body, { headers: { 'content-type': 'application/json' } })
      if (put.status !== 200) throw new Error(`PUT ${INVENTORY_URL}${path} answered ${put.status}`)
    }
  }
}
