// @ts-check
/**
 * What one iteration of each flow sends, built from draws (a uniform random source and a source of
 * fresh Idempotency-Keys) so that k6 and the native driver send the same requests. The paths are the
 * gateway's (README: gateway routes); bodies as services/orders and services/payments check them.
 */
import { createZipfSampler } from './zipf.js'

/** @typedef {import('./scenario.js').Scenario} Scenario */
/** @typedef {{ name: string, method: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string }} LoadRequest */
/** @typedef {{ random: () => number, newKey: () => string }} Draws */

/** Order states after which nothing changes (services/orders: the saga confirms or cancels). */
export const FINAL_ORDER_STATUSES = ['confirmed', 'cancelled']

/**
 * A customer id of the seeded ones, c-0001 … c-<customers> (services/payments seeds a wallet for each).
 * @param {() => number} random
 * @param {number} customers
 */
export function customerId (random, customers) {
  return `c-${String(1 + Math.floor(random() * customers)).padStart(4, '0')}`
}

/**
 * A version-4 UUID from a uniform source: k6 has no randomUUID in every version; Node passes its own.
 * @param {() => number} random
 */
export function uuidFrom (random) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = (8 + Math.floor(random() * 4)).toString(16)
  const h = hex.join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * @param {string} key
 * @param {unknown} body
 * @returns {Pick<LoadRequest, 'headers' | 'body'>}
 */
const json = (key, body) => ({ headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })

/**
 * The first (for most flows the only) request of each iteration of the scenario's flow.
 * @param {Scenario} scenario
 * @param {Draws} draws
 * @returns {() => LoadRequest}
 */
export function createIterationRequest (scenario, draws) {
  const { random, newKey } = draws
  const p = /** @type {Record<string, any>} */ (scenario.params)
  switch (scenario.flow) {
    case 'browse': {
      const productId = createZipfSampler(p.products, p.zipfExponent, random)
      return () => ({ name: 'product', method: 'GET', path: `/catalog/products/${productId()}` })
    }
    case 'burst':
      return () => ({ name: 'burst', method: 'GET', path: p.path })
    case 'flash-sale':
      return () => ({
        name: 'place',
        method: 'POST',
        path: '/orders',
        ...json(newKey(), { customerId: customerId(random, p.customers), productId: p.productId, quantity: 1, paymentMethod: p.paymentMethod })
      })
    case 'checkout':
      return () => ({
        name: 'place',
        method: 'POST',
        path: '/orders',
        ...json(newKey(), { customerId: customerId(random, p.customers), productId: 1 + Math.floor(random() * p.products), quantity: 1, paymentMethod: p.paymentMethod })
      })
    case 'transfers':
      return () => {
        const from = customerId(random, p.customers)
        let to = customerId(random, p.customers)
        while (to === from) to = customerId(random, p.customers)
        const cents = p.minAmountCents + Math.floor(random() * (p.maxAmountCents - p.minAmountCents + 1))
        return {
          name: 'transfer',
          method: 'POST',
          path: '/payments/transfers',
          ...json(newKey(), { fromWalletId: from, toWalletId: to, amount: (cents / 100).toFixed(2), reference: 'load test' })
        }
      }
    default:
      throw new Error(`no requests for flow ${String(scenario.flow)}`)
  }
}

/**
 * The checkout's follow-up: GET the order until its status is final.
 * @param {string} orderId
 * @returns {LoadRequest}
 */
export function pollRequest (orderId) {
  return { name: 'poll', method: 'GET', path: `/orders/${orderId}` }
}

/**
 * The flash sale's stock, set before the sale on inventory itself (PUT /stock/:productId is not routed by
 * the gateway): `units` available, at the product's current price (the PUT needs both).
 * @param {import('./scenario.js').FlashSaleParams} params
 * @param {{ priceCents: number }} current what GET /stock/:productId answered
 * @returns {{ path: string, body: string }}
 */
export function restockRequest (params, current) {
  return { path: `/stock/${params.productId}`, body: JSON.stringify({ available: params.units, priceCents: current.priceCents }) }
}
