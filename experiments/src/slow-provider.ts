import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { loadScenario, runScenario, validateScenario, withOverrides, type LoadReport } from '@lab/load-tests'
import { PAYMENTS_PROVIDER, providerFaults, setProviderFaults } from './payments-provider.js'
import { ledgerConsistency, type LedgerConsistency } from './payments-ledger.js'
import { withPatternOff } from './switches.js'
import type { Experiment, ExperimentOutcome } from './types.js'
import { atLeast, atMost, exactly } from './verdict.js'

/**
 * The provider's latency: "about 2 s", kept under payments' per-call timeout (2 s) so that every charge
 * is accepted, slowly, instead of timing out and retrying (a timeout is experiment 9's subject).
 */
const SLOW_MS = PAYMENTS_PROVIDER.timeoutMs - 400
/** A payments session whose transaction has been open longer than this is one waiting on something slow. */
const LONG_TX_MS = 1000
/** Wallet orders with the charge worker confirm in well under the provider's latency. */
const WALLET_P95_BOUND_MS = 1000
const WALLET_RATE = 2
const CARD_RATE = 1

interface SessionSample { atMs: number, longTx: number, idleInTx: number }

/**
 * Payments' database sessions every 100 ms (pg_stat_activity, whatever their application): how many
 * had a transaction open longer than LONG_TX_MS, and how many sat idle in a transaction.
 */
async function longTransactions (db: pg.Pool): Promise<SessionSample> {
  const { rows } = await db.query<{ long_tx: number, idle_in_tx: number }>(`
    SELECT count(*) FILTER (WHERE xact_start < clock_timestamp() - make_interval(secs => $1::float8 / 1000))::int AS long_tx,
           count(*) FILTER (WHERE state = 'idle in transaction')::int AS idle_in_tx
    FROM pg_stat_activity WHERE datname = 'payments' AND pid <> pg_backend_pid()`, [LONG_TX_MS])
  return { atMs: Date.now(), longTx: rows[0]?.long_tx ?? 0, idleInTx: rows[0]?.idle_in_tx ?? 0 }
}

/**
 * Waits (at most `timeoutMs`) until no payments session holds a transaction open past LONG_TX_MS: a run
 * started right after another's off column would otherwise measure the charges still queued in it.
 */
async function untilQuiet (db: pg.Pool, timeoutMs: number, progress: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let told = false
  while ((await longTransactions(db)).longTx > 0) {
    if (Date.now() > deadline) { progress('payments still holds a long transaction; measuring anyway'); return }
    if (!told) { progress('waiting for payments\' earlier long transactions to end'); told = true }
    await sleep(500)
  }
}

function watchSessions (db: pg.Pool) {
  const samples: SessionSample[] = []
  const flag = { stopped: false }
  const done = (async () => {
    while (!flag.stopped) {
      try {
        samples.push(await longTransactions(db))
      } catch { /* the next sample tells */ }
      await sleep(100)
    }
  })()
  return { samples, stop: async () => { flag.stopped = true; await done } }
}

interface Column { wallet: LoadReport, card: LoadReport, sessions: SessionSample[], startMs: number, endMs: number }

/** Wallet and card checkouts side by side for `seconds`, every order followed to its final state, the sessions watched meanwhile. */
async function mixedCheckouts (gateway: string, db: pg.Pool, seconds: number): Promise<Column> {
  const base = loadScenario('checkout')
  // Polls every 200 ms (wallet) and 500 ms (card): both flows stay within the gateway's orders budget per client.
  const flow = (rate: number, paymentMethod: 'wallet' | 'card', pollIntervalMs: number) =>
    validateScenario({ ...withOverrides(base, { rate, durationSeconds: seconds }), params: { ...base.params, paymentMethod, pollIntervalMs, finalTimeoutMs: 20_000 } }, base.name)
  const watch = watchSessions(db)
  const startMs = Date.now()
  try {
    const [wallet, card] = await Promise.all([
      runScenario(flow(WALLET_RATE, 'wallet', 200), { baseUrl: gateway }),
      runScenario(flow(CARD_RATE, 'card', 500), { baseUrl: gateway })
    ])
    return { wallet, card, sessions: watch.samples, startMs, endMs: Date.now() }
  } finally {
    await watch.stop()
  }
}

const most = (c: Column, key: 'longTx' | 'idleInTx') => c.sessions.length === 0 ? Number.NaN : Math.max(...c.sessions.map((s) => s[key]))
const toFinal = (r: LoadReport) => r.checkout?.timeToFinal ?? { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN }
const ms = (n: number) => Number.isNaN(n) ? '?' : n.toFixed(0)
const unsettled = (c: Column) => (c.wallet.checkout?.unsettled ?? Number.NaN) + (c.card.checkout?.unsettled ?? Number.NaN)

export const slowProvider: Experiment = {
  id: 11,
  name: 'slow-provider',
  title: 'A slow provider: card charges outside the consumer\'s transaction',
  hypothesis: `With the provider slowed to ${SLOW_MS / 1000} s under wallet (${WALLET_RATE}/s) and card (${CARD_RATE}/s) checkouts, payments' charge worker calls it with no transaction open: no payments session holds a transaction open for more than ${LONG_TX_MS / 1000} s, card orders take at least the provider's ${SLOW_MS} ms (p50), and wallet orders, which never wait on the provider, are final within ${WALLET_P95_BOUND_MS} ms (p95). With the charge-worker switch off (the provider called inside the consumer's batch transaction, as before issue 12) the same load holds payments sessions in transactions for the provider's latency, and wallet orders behind a card charge wait for it: their p95 at least twice the worker's.`,
  fault: `the provider's latency set to ${SLOW_MS} ms (./lab chaos provider slow ${SLOW_MS}), put back afterwards; the second column with payments' charge-worker switch off (./lab chaos switch charge-worker off)`,
  async run ({ short, urls, progress }) {
    const seconds = short ? 10 : 40
    const saved = await providerFaults()
    const db = new pg.Pool({ connectionString: urls.postgres('payments'), max: 1 })
    try {
      await setProviderFaults({ ...saved, latencyMs: SLOW_MS })
      progress(`provider slowed to ${SLOW_MS} ms; wallet ${WALLET_RATE}/s and card ${CARD_RATE}/s checkouts for ${seconds} s per column`)
      let on: Column
      let off: Column
      try {
        await untilQuiet(db, 60_000, progress)
        progress('charge worker (the design): card charges recorded, made outside any transaction')
        on = await mixedCheckouts(urls.gateway, db, seconds)
        progress('charge-worker off: the provider called inside the consumer\'s transaction')
        off = await withPatternOff('payments', 'charge-worker', async () => await mixedCheckouts(urls.gateway, db, seconds))
      } finally {
        await setProviderFaults(saved)
        progress(`provider restored (${JSON.stringify(saved)})`)
      }
      return outcome(on, off, await ledgerConsistency(urls.gateway))
    } finally {
      await db.end()
    }
  }
}

function outcome (on: Column, off: Column, ledger: LedgerConsistency): ExperimentOutcome {
  const ratio = Number((toFinal(off.wallet).p95 / toFinal(on.wallet).p95).toFixed(2))
  const columns = [on, off]
  return {
    verdicts: [
      atMost(`charge worker: payments sessions in a transaction open > ${LONG_TX_MS / 1000} s, most at once`, most(on, 'longTx'), 0),
      atMost('charge worker: wallet orders, time to final state p95', Number(toFinal(on.wallet).p95.toFixed(0)), WALLET_P95_BOUND_MS, 'ms'),
      atLeast('charge worker: card orders, time to final state p50 (the provider is slow)', Number(toFinal(on.card).p50.toFixed(0)), SLOW_MS, 'ms'),
      // The off column may not drain within its wait (its charges queue behind each other on the partitions): a figure there, not a promise.
      exactly('charge worker: orders without a final state', unsettled(on), 0),
      exactly('money conserved (ledger total − seeded, cents)', ledger.walletsMatchingLedger && ledger.unbalancedTransfers === 0 ? ledger.totalCents - ledger.seededCents : Number.NaN, 0),
      atLeast(`charge-worker off: payments sessions in a transaction open > ${LONG_TX_MS / 1000} s, most at once`, most(off, 'longTx'), 1),
      atLeast('charge-worker off: wallet p95 against the worker\'s (×)', ratio, 2)
    ],
    figures: [
      { label: 'provider latency', value: `${SLOW_MS} ms (payments' timeout ${PAYMENTS_PROVIDER.timeoutMs} ms)` },
      { label: 'orders per column', value: `wallet ${on.wallet.checkout?.tracked ?? '?'} / ${off.wallet.checkout?.tracked ?? '?'}, card ${on.card.checkout?.tracked ?? '?'} / ${off.card.checkout?.tracked ?? '?'} (worker / off)` },
      { label: 'payments sessions sampled', value: `every 100 ms from pg_stat_activity (datname 'payments'): ${on.sessions.length} / ${off.sessions.length} samples` }
    ],
    sideBySide: [{
      title: 'The provider slowed: the charge worker, and the provider called in the consumer\'s transaction',
      columns: ['charge worker', 'in the consumer\'s transaction'],
      rows: [
        { label: `sessions in a transaction open > ${LONG_TX_MS / 1000} s, most at once`, values: columns.map((c) => String(most(c, 'longTx'))) },
        { label: 'sessions idle in transaction, most at once', values: columns.map((c) => String(most(c, 'idleInTx'))) },
        { label: 'wallet orders: time to final p50 / p95 / p99', values: columns.map((c) => `${ms(toFinal(c.wallet).p50)} / ${ms(toFinal(c.wallet).p95)} / ${ms(toFinal(c.wallet).p99)} ms`) },
        { label: 'card orders: time to final p50 / p95 / p99', values: columns.map((c) => `${ms(toFinal(c.card).p50)} / ${ms(toFinal(c.card).p95)} / ${ms(toFinal(c.card).p99)} ms`) },
        { label: 'confirmed / cancelled / unsettled (wallet + card)', values: columns.map((c) => [c.wallet, c.card].map((r) => `${r.checkout?.confirmed ?? '?'} / ${r.checkout?.cancelled ?? '?'} / ${r.checkout?.unsettled ?? '?'}`).join(' + ')) }
      ]
    }],
    windows: [{ label: 'charge worker', startMs: on.startMs, endMs: on.endMs }, { label: 'charge-worker off', startMs: off.startMs, endMs: off.endMs }],
    panels: [
      {
        title: 'Payments sessions (pg_stat_activity, every 100 ms)',
        unit: 'sessions',
        series: [
          { name: `transaction open > ${LONG_TX_MS / 1000} s`, points: columns.flatMap((c) => c.sessions.map((s) => [s.atMs, s.longTx] as [number, number])) },
          { name: 'idle in transaction', points: columns.flatMap((c) => c.sessions.map((s) => [s.atMs, s.idleInTx] as [number, number])) }
        ]
      },
      {
        title: 'Card charges due (waiting for the worker, or claimed)',
        unit: 'charges',
        series: [{ name: 'due', promql: 'sum(payments_charges_due)' }, { name: 'in flight', promql: 'sum(payments_charge_worker_in_flight)' }]
      }
    ],
    notes: [
      `The provider is slowed to ${SLOW_MS} ms, not a full 2 s: payments' per-call timeout is ${PAYMENTS_PROVIDER.timeoutMs} ms, and a call that times out is retried and left outcome-unknown (experiment 9), which would measure the retries instead of the transaction.`,
      'Sessions are every session of payments\' database (the consumer\'s, the worker\'s, the callbacks\', the reconciler\'s, psql\'s if any), read with pg_stat_activity; xact_start is when each one\'s transaction began.',
      'In the consumer\'s transaction, a card charge holds the batch of its partition: wallet orders in that batch or behind it on the partition wait for the provider too (orders are keyed by order id over 3 partitions). The charge worker records the charge in the batch and calls the provider after the commit.',
      'Time to final state runs from POST /orders to the first poll that saw confirmed or cancelled: polls every 200 ms (wallet) and 500 ms (card), so each figure is late by up to one interval.'
    ]
  }
}
