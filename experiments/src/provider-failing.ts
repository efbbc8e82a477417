import { randomInt, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadScenario, runScenario, validateScenario, withOverrides, type LoadReport } from '@lab/load-tests'
import { address } from '../../infra/topology.js'
import { scrapeSum } from './lab.js'
import { admin } from './switches.js'
import type { Experiment } from './types.js'
import { atLeast, atMost, exactly } from './verdict.js'
import { ledgerConsistency } from './payments-ledger.js'

const PAYMENTS = `http://${address('payments', 'native')}`
const INVENTORY = `http://${address('inventory', 'native')}`
const OPEN = 2
/** Time from placing an order to its final state, at p99, while the provider fails: retries are bounded and the open breaker answers at once. */
const FINAL_P99_BOUND_MS = 5000

interface Faults { errorRate: number, latencyMs: number, declineRate: number }

/** Follows payments' provider breaker on its own /metrics every 250 ms. */
function watchBreaker () {
  const samples: Array<{ atMs: number, state: number }> = []
  const flag = { stopped: false }
  const done = (async () => {
    while (!flag.stopped) {
      try { samples.push({ atMs: Date.now(), state: await scrapeSum(PAYMENTS, 'circuit_breaker_state', { breaker: 'provider' }) }) } catch { /* restarting */ }
      await sleep(250)
    }
  })()
  return { samples, stop: async () => { flag.stopped = true; await done } }
}

/** Card orders through the gateway, one at a time, until one is confirmed (the breaker closes on a good probe). */
async function confirmedAgain (gateway: string, timeoutMs: number): Promise<{ confirmed: boolean, tries: number }> {
  const deadline = Date.now() + timeoutMs
  let tries = 0
  while (Date.now() < deadline) {
    tries++
    const res = await fetch(`${gateway}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ customerId: `c-${String(randomInt(1, 1001)).padStart(4, '0')}`, productId: randomInt(1, 9000), quantity: 1, paymentMethod: 'card' })
    })
    const order = await res.json() as { id?: string, status?: string }
    for (let polls = 0; res.status === 201 && order.id !== undefined && polls < 50; polls++) {
      await sleep(200)
      const now = await (await fetch(`${gateway}/orders/${order.id}`)).json() as { status?: string }
      if (now.status === 'confirmed') return { confirmed: true, tries }
      if (now.status === 'cancelled') break
    }
    await sleep(1000)
  }
  return { confirmed: false, tries }
}

export const providerFailing: Experiment = {
  id: 4,
  name: 'provider-failing',
  title: 'The payment provider failing every charge',
  hypothesis: `With the provider answering every charge with an error for 30 s under card checkouts, payments' provider breaker opens, every order still reaches a final state fast (p99 ≤ ${FINAL_P99_BOUND_MS / 1000} s: cancelled, its stock released), no money is created or lost (the ledger matches the wallets), and once the provider heals, card orders are confirmed again.`,
  fault: 'the provider\'s error rate set to 100% through the gateway\'s admin API (./lab chaos provider errors 100%), put back to what it was afterwards',
  async run ({ short, urls, progress }) {
    const base = loadScenario('checkout')
    const beforeS = short ? 4 : 10
    const faultS = short ? 10 : 30
    const afterS = short ? 6 : 20
    const scenario = validateScenario({ ...withOverrides(base, { rate: 5, durationSeconds: beforeS + faultS + afterS }), params: { ...base.params, paymentMethod: 'card' } }, base.name)
    const client = admin()
    const saved = (await client.call('GET', '/admin/chaos/services/provider/faults') as { instances: Array<{ body: Faults }> }).instances[0]?.body ?? { errorRate: 0, latencyMs: 0, declineRate: 0 }
    const releasesBefore = await scrapeSum(INVENTORY, 'inventory_releases_total', { outcome: 'released' })
    const breaker = watchBreaker()
    progress(`card checkouts at ${scenario.rate}/s for ${scenario.durationSeconds} s; provider failing from ${beforeS} s for ${faultS} s`)
    const load = runScenario(scenario, { baseUrl: urls.gateway })
    let faultMs = Number.NaN
    let healMs = Number.NaN
    let report: LoadReport
    try {
      await sleep(beforeS * 1000)
      await client.call('PUT', '/admin/chaos/services/provider/faults', { ...saved, errorRate: 1 })
      faultMs = Date.now()
      progress('provider errors 100%')
      try {
        await sleep(faultS * 1000)
      } finally {
        await client.call('PUT', '/admin/chaos/services/provider/faults', saved)
        healMs = Date.now()
        progress(`provider healed (${JSON.stringify(saved)})`)
      }
    } finally {
      report = await load
    }
    progress('card orders until one is confirmed again')
    const again = await confirmedAgain(urls.gateway, 40_000)
    await breaker.stop()
    const releases = await scrapeSum(INVENTORY, 'inventory_releases_total', { outcome: 'released' }) - releasesBefore
    const ledger = await ledgerConsistency(urls.gateway)
    const opened = breaker.samples.find((s) => s.atMs >= faultMs && s.atMs <= healMs + 1000 && s.state === OPEN)
    const checkout = report.checkout
    return {
      verdicts: [
        atMost('provider breaker open after the fault began', opened === undefined ? Number.NaN : Number(((opened.atMs - faultMs) / 1000).toFixed(2)), faultS, 's'),
        atMost('time to final state, p99', Number((checkout?.timeToFinal.p99 ?? Number.NaN).toFixed(0)), FINAL_P99_BOUND_MS, 'ms'),
        exactly('orders without a final state', checkout?.unsettled ?? Number.NaN, 0),
        atLeast('stock releases (inventory) minus orders cancelled', releases - (checkout?.cancelled ?? 0), 0),
        exactly('money conserved (ledger total − seeded, cents)', ledger.walletsMatchingLedger && ledger.unbalancedTransfers === 0 ? ledger.totalCents - ledger.seededCents : Number.NaN, 0),
        exactly('a card order confirmed again after healing', again.confirmed ? 1 : 0, 1)
      ],
      figures: [
        { label: 'orders', value: `${checkout?.tracked ?? 0} placed: ${checkout?.confirmed ?? 0} confirmed, ${checkout?.cancelled ?? 0} cancelled (${Object.entries(checkout?.cancelReasons ?? {}).map(([r, n]) => `${r} ${n}`).join(', ') || 'no reasons'}), ${checkout?.unsettled ?? 0} unsettled` },
        { label: 'POST /orders p50 / p99', value: `${report.requests.find((r) => r.name === 'place')?.latency.p50.toFixed(1) ?? '?'} / ${report.requests.find((r) => r.name === 'place')?.latency.p99.toFixed(1) ?? '?'} ms` },
        { label: 'time to final state p50 / p99', value: `${checkout?.timeToFinal.p50.toFixed(0) ?? '?'} / ${checkout?.timeToFinal.p99.toFixed(0) ?? '?'} ms` },
        { label: 'stock releases during the run (all traffic)', value: String(releases) },
        { label: 'confirmed again', value: `${again.confirmed ? 'yes' : 'no'}, after ${again.tries} card order(s) placed after the load` }
      ],
      windows: [{ label: 'provider failing', startMs: faultMs, endMs: healMs }],
      panels: [
        {
          title: 'Payments → provider calls',
          unit: 'per second',
          series: [
            { name: 'accepted', promql: 'sum(rate(payments_provider_calls_total{result="accepted"}[10s]))' },
            { name: 'error', promql: 'sum(rate(payments_provider_calls_total{result="error"}[10s]))' },
            { name: 'refused by the open breaker', promql: 'sum(rate(payments_provider_calls_total{result="breaker_open"}[10s]))' }
          ]
        },
        { title: 'Provider breaker (0 closed, 1 half-open, 2 open)', unit: 'state', series: [{ name: 'payments', promql: 'max(circuit_breaker_state{job="payments",breaker="provider"})' }] }
      ],
      notes: [
        'Breaker times come from payments\' own /metrics polled every 250 ms; the chart is Prometheus\' (5 s scrapes, 10 s rates).',
        'Money is checked with GET /payments/ledger/consistency (the wallets against the ledger, over the whole lab).'
      ]
    }
  }
}
