/**
 * The three stock strategies under the same contention, side by side:
 *   node --import tsx services/inventory/bench/strategies.ts [--buyers 500] [--units 100]
 *     [--connections 20] [--sustained 2000] [--naive-delay-ms 0] [--set NAME=VALUE ...]
 * For each strategy: `buyers` one-unit POST /reservations for one product stocked with `units`, over
 * `connections` keep-alive connections (autocannon, in this process; inventory runs as a child process
 * on the lab's PostgreSQL, in a database of its own, dropped at the end). Then `sustained` buyers for
 * as many units (every request buys: the hot row throughout), and the same buyers spread over 100
 * products (little contention: each strategy's own cost). Prints a table per scenario and writes the
 * figures to .lab/bench/inventory-strategies-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { labHome } from '@lab/infra/native'
import { table } from '../../../bench/report.js'
import { loadInventoryConfig } from '../src/config.js'
import { startBenchInventory, type BenchInventory } from './inventory-process.js'
import { runSale, type SaleAnswers } from './sale.js'

const STRATEGIES = ['optimistic', 'pessimistic', 'naive'] as const
const say = (line = '') => { process.stdout.write(`${line}\n`) }

function positiveInt (name: string, value: string | undefined, min = 1): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${value ?? 'nothing'})`)
  return n
}

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '500' },
    units: { type: 'string', default: '100' },
    connections: { type: 'string', default: '20' },
    sustained: { type: 'string', default: '2000' },
    'naive-delay-ms': { type: 'string', default: '0' },
    /** Any other service setting, e.g. --set OPTIMISTIC_BACKOFF_MAX_MS=250 (repeatable). */
    set: { type: 'string', multiple: true, default: [] }
  }
})
const overrides = Object.fromEntries(values.set.map((pair) => {
  const at = pair.indexOf('=')
  if (at < 1) throw new Error(`--set takes NAME=VALUE (got ${pair})`)
  return [pair.slice(0, at), pair.slice(at + 1)]
}))
const connections = positiveInt('connections', values.connections)
const naiveDelayMs = positiveInt('naive-delay-ms', values['naive-delay-ms'], 0)
const sustained = positiveInt('sustained', values.sustained, 0)
/** Every scenario runs once per strategy, on products of its own, `units` units each. */
const scenarios = [
  { name: 'flash sale', buyers: positiveInt('buyers', values.buyers), products: 1, units: positiveInt('units', values.units) },
  ...(sustained > 0
    ? [
        { name: 'sustained', buyers: sustained, products: 1, units: sustained },
        // The same buyers spread over 100 products: few conflicts, where the strategies' own cost shows.
        { name: 'spread', buyers: sustained, products: 100, units: Math.ceil(sustained / 100) }
      ]
    : [])
]

interface StrategyFigures extends SaleAnswers {
  strategy: string
  products: number
  /** Stock over all the scenario's products. */
  units: number
  /** Units in active reservations beyond the stock (0 unless updates were lost). */
  oversold: number
  /** Reserved units the row does not count (promised − row.reserved): the lost updates' toll. */
  lostUpdates: number
  lockConflicts: number
  retries: number
}

async function counter (url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(new RegExp(`^${name}\\{service="inventory"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
}

async function measure (inv: BenchInventory, strategy: string, productIds: number[], buyers: number, units: number): Promise<StrategyFigures> {
  for (const productId of productIds) {
    const put = await fetch(`${inv.url}/stock/${productId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ available: units, priceCents: 1999 }) })
    if (!put.ok) throw new Error(`PUT /stock/${productId} answered ${put.status}`)
  }
  const [conflictsBefore, retriesBefore] = [await counter(inv.url, 'optimistic_lock_conflicts_total'), await counter(inv.url, 'optimistic_lock_retries_total')]
  const sale = await runSale({ url: inv.url, strategy, productIds, buyers, connections })
  // Per product: units promised in active reservations, and what the row counts as reserved.
  const { rows } = await inv.db.query<{ promised: number, reserved: number }>(`
    SELECT i.reserved, coalesce((SELECT sum(quantity) FROM reservations r WHERE r.product_id = i.product_id AND r.status = 'reserved'), 0)::int AS promised
    FROM items i WHERE i.product_id = ANY($1::int[])`, [productIds])
  return {
    strategy,
    products: productIds.length,
    units: units * productIds.length,
    ...sale,
    oversold: rows.reduce((sum, r) => sum + Math.max(0, r.promised - units), 0),
    lostUpdates: rows.reduce((sum, r) => sum + r.promised - r.reserved, 0),
    lockConflicts: await counter(inv.url, 'optimistic_lock_conflicts_total') - conflictsBefore,
    retries: await counter(inv.url, 'optimistic_lock_retries_total') - retriesBefore
  }
}

const ms = (n: number) => Number.isNaN(n) ? '-' : n.toFixed(1)
function report (figures: StrategyFigures[]): string {
  return table([
    ['strategy', 'answers/s', 'reserv./s', 'p50 ms', 'p99 ms', 'sold p50', 'sold p99', 'sold/stock', 'oversold', 'lost upd.', '409 stock', '409 conflict', 'lock confl.', 'retries', 'other'],
    ...figures.map((f) => [f.strategy, f.answersPerSecond.toFixed(0), f.reservationsPerSecond.toFixed(0), ms(f.p50Ms), ms(f.p99Ms), ms(f.soldP50Ms), ms(f.soldP99Ms),
      `${f.sold}/${f.units}`, String(f.oversold), String(f.lostUpdates), String(f.outOfStock), String(f.gaveUp), String(f.lockConflicts), String(f.retries), String(f.unexpected)])
  ])
}

async function main (): Promise<void> {
  const started = new Date()
  const cores = availableParallelism()
  const load = loadavg()[0] ?? 0
  say(`inventory strategies: ${connections} connections, Node ${process.versions.node}, ${cores} cores shared by autocannon, inventory and PostgreSQL`)
  say(`load average before the run: ${load.toFixed(2)}${load > cores / 4 ? ' (other work on this machine skews the figures: compare within one run)' : ''}`)
  const inv = await startBenchInventory({ SEED_ITEMS: '1000', NAIVE_WRITE_DELAY_MS: String(naiveDelayMs), ...overrides }, (line) => { say(`  ${line}`) })
  const c = loadInventoryConfig(inv.env)
  say(`inventory: ${inv.url}, log ${inv.log}`)
  say(`  PG_POOL_MAX=${c.PG_POOL_MAX} OPTIMISTIC_MAX_ATTEMPTS=${c.OPTIMISTIC_MAX_ATTEMPTS} OPTIMISTIC_BACKOFF_BASE_MS=${c.OPTIMISTIC_BACKOFF_BASE_MS} ` +
    `OPTIMISTIC_BACKOFF_MAX_MS=${c.OPTIMISTIC_BACKOFF_MAX_MS} NAIVE_WRITE_DELAY_MS=${c.NAIVE_WRITE_DELAY_MS} PESSIMISTIC_LOCK_TIMEOUT_MS=${c.PESSIMISTIC_LOCK_TIMEOUT_MS}`)
  const results: Record<string, StrategyFigures[]> = {}
  try {
    // Warm-up (JIT, connections, plans), not reported: the first strategy measured pays no extra.
    let next = 1
    const products = (n: number) => Array.from({ length: n }, () => next++)
    for (const strategy of STRATEGIES) await measure(inv, strategy, products(1), 300, 300)
    for (const scenario of scenarios) {
      say(`\n${scenario.name}: ${scenario.buyers} buyers, one unit each, over ${scenario.products === 1 ? 'one product' : `${scenario.products} products`} of ${scenario.units} units`)
      const figures: StrategyFigures[] = []
      for (const strategy of STRATEGIES) figures.push(await measure(inv, strategy, products(scenario.products), scenario.buyers, scenario.units))
      results[scenario.name] = figures
      say(report(figures))
    }
  } finally {
    await inv.stop()
  }
  say('\nanswers/s: all answers (201 and 409) over the run; reserv./s: reservations over the time to the last one (selling the stock);')
  say('p50/p99: every answer; sold p50/p99: 201s only; oversold: units in active reservations beyond the stock;')
  say('lost upd.: units in active reservations that the row\'s `reserved` does not count (decrements overwritten);')
  say('lock confl./retries: optimistic_lock_conflicts_total / optimistic_lock_retries_total during the run; other: 5xx and errors.')
  const dir = join(labHome(), 'bench')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `inventory-strategies-${started.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.json`)
  writeFileSync(file, `${JSON.stringify({ startedAt: started.toISOString(), loadAverage: load, cores, connections, naiveDelayMs, scenarios, service: inv.env, results }, null, 2)}\n`)
  say(`figures written to ${file}`)
}

await main()
