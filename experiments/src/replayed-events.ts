import { setTimeout as sleep } from 'node:timers/promises'
import type { IHeaders, Kafka, Message, Producer } from 'kafkajs'
import pg from 'pg'
import { loadScenario, runScenario, validateScenario, withOverrides, type LoadReport } from '@lab/load-tests'
import { benchKafka, benchLogger } from '../../bench/kafka.js'
import { address } from '../../infra/topology.js'
import { killComponent, startComponent } from './lab-processes.js'
import { scrapeSum } from './lab.js'
import { chargesOfOrders, ledgerConsistency, type LedgerConsistency, type OrderCharges } from './payments-ledger.js'
import { admin, withPatternOff } from './switches.js'
import type { Experiment, SideBySide } from './types.js'
import { atLeast, exactly } from './verdict.js'

const PAYMENTS = `http://${address('payments', 'native')}`
const TOPIC = 'orders.placed.v1'
/** How long after the load the replayed events may take to be read and skipped. */
const SKIP_BOUND_MS = 30_000
/**
 * Added to every answer PostgreSQL sends the services (Toxiproxy) for the moment before the kill: a
 * consumer batch of payments, a handful of round trips, then stays open long enough to be caught.
 */
const SLOW_DB_MS = 100

interface Recorded { partition: number, key: Buffer | null, value: Buffer | null, headers?: IHeaders }

const topicOffsets = async (kafka: Kafka): Promise<Map<number, string>> => {
  const admin = kafka.admin()
  await admin.connect()
  try { return new Map((await admin.fetchTopicOffsets(TOPIC)).map((p) => [p.partition, p.high])) } finally { await admin.disconnect() }
}

/**
 * Reads back up to `max` events published to the topic since `from` (the high watermarks when the run
 * began), with a consumer group of its own positioned at those offsets: the bytes payments already
 * consumed, envelope id included.
 */
async function readBack (kafka: Kafka, from: Map<number, string>, max: number): Promise<Recorded[]> {
  const until = await topicOffsets(kafka)
  const wanted = [...until].reduce((n, [p, high]) => n + Number(high) - Number(from.get(p) ?? high), 0)
  const consumer = kafka.consumer({ groupId: `lab-experiment-replay-${Date.now()}` })
  const got: Recorded[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: TOPIC })
    let seen = 0
    let release = (): void => {}
    const done = new Promise<void>((resolve) => { release = resolve })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (BigInt(message.offset) >= BigInt(until.get(partition) ?? '0')) return
        seen++
        if (got.length < max) got.push({ partition, key: message.key, value: message.value, ...(message.headers === undefined ? {} : { headers: message.headers }) })
        if (got.length >= max || seen >= wanted) release()
      }
    })
    for (const [partition, offset] of from) consumer.seek({ topic: TOPIC, partition, offset })
    await Promise.race([done, sleep(20_000)])
  } finally {
    await consumer.disconnect()
  }
  return got
}

/**
 * Waits until payments' consumer group is stable with one member, the restarted instance: right after
 * a SIGKILL the dead instance keeps its place until its session times out, and the new instance's
 * join waits for that (payments answers HTTP meanwhile: its start does not wait for the join).
 * Returns how long it took.
 */
async function consumerRejoined (kafka: Kafka, timeoutMs: number): Promise<number> {
  const started = Date.now()
  const admin = kafka.admin()
  await admin.connect()
  try {
    while (Date.now() - started < timeoutMs) {
      const group = (await admin.describeGroups(['payments'])).groups[0]
      if (group?.state === 'Stable' && group.members.length === 1) return Date.now() - started
      await sleep(1000)
    }
    return Number.NaN
  } finally {
    await admin.disconnect()
  }
}

/**
 * Waits until payments has a write transaction open between two statements (pg_stat_activity: 'idle in
 * transaction' with an xid): the consumer's batch, half applied (in this load nothing else in payments
 * writes in more than one statement). Answers that transaction's last statement, or undefined.
 */
async function openBatchTransaction (db: pg.Pool, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ query: string }>(`
      SELECT query FROM pg_stat_activity
      WHERE datname = 'payments' AND pid <> pg_backend_pid() AND state = 'idle in transaction' AND backend_xid IS NOT NULL
      LIMIT 1`)
    if (rows[0] !== undefined) return rows[0].query
    await sleep(5)
  }
  return undefined
}

const duplicatesSkipped = async () => await scrapeSum(PAYMENTS, 'consumer_messages_total', { topic: TOPIC, outcome: 'duplicate' })
const applied = async () => await scrapeSum(PAYMENTS, 'consumer_messages_total', { topic: TOPIC, outcome: 'processed' })

/** One column of the side-by-side; `applied` is not measured with the pattern on (the load still runs then). */
interface Column { replayed: number, skipped: number, applied?: number, charges: OrderCharges, money: LedgerConsistency }

/**
 * The "pattern off" column: the same messages produced once more while payments' `idempotent-consumer`
 * switch is off (no inbox check, no one-payment-per-order guard), until payments has applied as many
 * (or the bound passed). The switch is back on when this returns, whatever happened.
 */
async function replayWithPatternOff (producer: Producer, messages: Message[], db: pg.Pool, orderIds: string[], gateway: string): Promise<Column> {
  return await withPatternOff('payments', 'idempotent-consumer', async () => {
    const [appliedBase, skippedBase] = [await applied(), await duplicatesSkipped()]
    await producer.send({ topic: TOPIC, messages })
    const deadline = Date.now() + SKIP_BOUND_MS
    while (Date.now() < deadline && await applied() + await duplicatesSkipped() - appliedBase - skippedBase < messages.length) await sleep(500)
    return {
      replayed: messages.length,
      skipped: await duplicatesSkipped() - skippedBase,
      applied: await applied() - appliedBase,
      charges: await chargesOfOrders(db, orderIds),
      money: await ledgerConsistency(gateway)
    }
  })
}

const cents = (n: number) => (n / 100).toFixed(2)

function sideBySide (on: Column, off: Column): SideBySide {
  const row = (label: string, f: (c: Column) => string) => ({ label, values: [on, off].map(f) })
  return {
    title: `The same replay (${on.charges.orders} wallet orders), idempotent-consumer on and off`,
    columns: ['idempotent-consumer on', 'idempotent-consumer off'],
    rows: [
      row('messages replayed', (c) => String(c.replayed)),
      row('skipped as duplicates / applied again', (c) => `${c.skipped} / ${c.applied ?? '–'}`),
      row('replayed orders charged more than once', (c) => String(c.charges.chargedTwice)),
      row('money charged for them / their amounts', (c) => `${cents(c.charges.chargedCents)} / ${cents(c.charges.orderCents)}`),
      row('wallets matching their ledger, unbalanced transfers', (c) => `${String(c.money.walletsMatchingLedger)}, ${c.money.unbalancedTransfers}`)
    ]
  }
}

/** Charges per order in payments' ledger, for the payments written since `since`. */
async function chargesPerOrder (db: pg.Pool, since: Date): Promise<{ payments: number, charged: number, notOnce: number, twice: number }> {
  const { rows } = await db.query<{ payments: number, charged: number, not_once: number, twice: number }>(`
    WITH charges AS (
      SELECT reference, count(DISTINCT transfer_id)::int AS n FROM ledger_entries
      WHERE kind = 'charge' AND created_at >= $1::timestamptz - interval '1 minute' GROUP BY reference)
    SELECT count(*)::int AS payments,
      count(*) FILTER (WHERE p.status IN ('succeeded', 'refunded'))::int AS charged,
      count(*) FILTER (WHERE p.status IN ('succeeded', 'refunded') AND coalesce(c.n, 0) <> 1)::int AS not_once,
      count(*) FILTER (WHERE coalesce(c.n, 0) > 1)::int AS twice
    FROM payments AS p LEFT JOIN charges AS c ON c.reference = 'order:' || p.order_id
    WHERE p.method = 'wallet' AND p.created_at >= $1`, [since.toISOString()])
  const r = rows[0]
  return { payments: r?.payments ?? 0, charged: r?.charged ?? 0, notOnce: r?.not_once ?? Number.NaN, twice: r?.twice ?? Number.NaN }
}

export const replayedEvents: Experiment = {
  id: 6,
  name: 'replayed-events',
  title: 'Replayed Kafka events and a consumer crash mid-batch',
  hypothesis: 'With wallet checkouts flowing, payments killed (SIGKILL) in the middle of a consumer batch (a write transaction open) and restarted, and a sample of already-processed orders.placed.v1 events published again (a third of them twice), every order is charged exactly once (one charge transfer per succeeded payment in the ledger, none with two), every wallet balance equals its ledger and no money is created or lost, and payments counts the replays as duplicates it skipped.',
  fault: 'payments\' process group killed with SIGKILL inside a consumer batch (caught in pg_stat_activity, PostgreSQL slowed by a Toxiproxy latency toxic for that moment) and restarted; already-consumed orders.placed.v1 messages (their bytes and envelope id) produced again by a kafkajs producer',
  async run ({ short, urls, progress }) {
    const base = loadScenario('checkout')
    const durationSeconds = short ? 20 : 60
    const killAtS = short ? 5 : 15
    const sample = short ? 30 : 150
    // Orders wait while payments is down (the dead member's session, ~30 s): polled every 2 s for up to
    // 70 s, at a rate that keeps place + polls under the gateway's 50/s orders budget.
    const scenario = validateScenario({ ...withOverrides(base, { rate: 3, durationSeconds }), params: { ...base.params, pollIntervalMs: 2000, finalTimeoutMs: 70_000 } }, base.name)
    const kafka = benchKafka('lab-experiment-replay', benchLogger('experiment-replayed-events'))
    const db = new pg.Pool({ connectionString: urls.postgres('payments'), max: 2 })
    const producer = kafka.producer()
    await producer.connect()
    const since = new Date()
    const from = await topicOffsets(kafka)
    progress(`wallet checkouts at ${scenario.rate}/s for ${durationSeconds} s; payments killed at ${killAtS} s, then ${sample} events replayed`)
    const load = runScenario(scenario, { baseUrl: urls.gateway })
    let killMs = Number.NaN
    let restartedMs = Number.NaN
    let replayed = 0
    let replayedOrders = 0
    let messages: Message[] = []
    let orderIds: string[] = []
    let skippedBase = Number.NaN
    let rejoinedMs = Number.NaN
    let inBatch: string | undefined
    let report: LoadReport
    try {
      try {
        await sleep(killAtS * 1000)
        progress(`PostgreSQL slowed by ${SLOW_DB_MS} ms per answer (Toxiproxy) until payments is caught inside a consumer batch`)
        const chaos = admin()
        await chaos.call('PUT', '/admin/chaos/proxies/postgres/latency', { latencyMs: SLOW_DB_MS })
        let killed: { what: string, atMs: number }
        try {
          inBatch = await openBatchTransaction(db, 15_000)
          killed = await killComponent('payments')
          killMs = killed.atMs
        } finally {
          await chaos.call('DELETE', '/admin/chaos/proxies/postgres')
        }
        progress(`killed payments (${killed.what}) ${inBatch === undefined ? 'without catching it in a batch' : `inside a batch transaction (its last statement: ${inBatch.replace(/\s+/g, ' ').slice(0, 60)}…)`}; PostgreSQL healed`)
        progress('restarting payments at once (./lab chaos start payments)')
        await startComponent('payments')
        restartedMs = Date.now()
        progress('waiting for its consumer to join the group (the dead instance holds its place until its session times out)')
        rejoinedMs = await consumerRejoined(kafka, 90_000)
        progress(`consumer back in its group ${(rejoinedMs / 1000).toFixed(1)} s after the restart`)
        skippedBase = await duplicatesSkipped()
        const events = await readBack(kafka, from, sample)
        messages = events.flatMap((e, i) => { const m = { key: e.key, value: e.value, partition: e.partition, ...(e.headers === undefined ? {} : { headers: e.headers }) }; return i % 3 === 0 ? [m, m] : [m] })
        await producer.send({ topic: TOPIC, messages })
        replayed = messages.length
        replayedOrders = events.length
        orderIds = events.map((e) => String(e.key))
        progress(`replayed ${replayed} messages of ${replayedOrders} orders already placed (a third twice)`)
      } finally {
        report = await load
      }
      const deadline = Date.now() + SKIP_BOUND_MS
      while (Date.now() < deadline && await duplicatesSkipped() - skippedBase < replayed) await sleep(500)
      const skipped = await duplicatesSkipped() - skippedBase
      const charges = await chargesPerOrder(db, since)
      const money = await ledgerConsistency(urls.gateway)
      const on: Column = { replayed, skipped, charges: await chargesOfOrders(db, orderIds), money }
      progress(`the same ${replayed} messages again with idempotent-consumer off (./lab chaos switch idempotent-consumer off)`)
      const off = await replayWithPatternOff(producer, messages, db, orderIds, urls.gateway)
      progress(`switched back on; off: ${off.charges.chargedTwice} of ${off.charges.orders} replayed orders charged more than once`)
      const checkout = report.checkout
      return {
        verdicts: [
          exactly('killed inside a consumer batch (a write transaction of payments open between statements)', inBatch === undefined ? 0 : 1, 1),
          atLeast('events replayed (read back from the topic and produced again)', replayed, 1, 'messages'),
          atLeast('duplicates skipped by payments since its restart (consumer_messages_total{outcome="duplicate"}) minus replayed', skipped - replayed, 0, 'messages'),
          exactly('charged payments without exactly one charge in the ledger', charges.notOnce, 0),
          exactly('orders with two or more charges', charges.twice, 0),
          exactly('wallets not matching their ledger, or unbalanced transfers', money.walletsMatchingLedger ? money.unbalancedTransfers : Number.NaN, 0),
          exactly('money conserved (ledger total − seeded, cents)', money.totalCents - money.seededCents, 0),
          exactly('orders without a final state', checkout?.unsettled ?? Number.NaN, 0),
          atLeast('idempotent-consumer off: replayed orders charged more than once (the failure the pattern prevents)', off.charges.chargedTwice, 1, 'orders')
        ],
        sideBySide: [sideBySide(on, off)],
        figures: [
          { label: 'orders', value: `${checkout?.tracked ?? 0} placed: ${checkout?.confirmed ?? 0} confirmed, ${checkout?.cancelled ?? 0} cancelled (${Object.entries(checkout?.cancelReasons ?? {}).map(([r, n]) => `${r} ${n}`).join(', ') || 'no reasons'}), ${checkout?.unsettled ?? 0} unsettled` },
          { label: 'replayed', value: `${replayed} messages for ${replayedOrders} orders; ${skipped} duplicates skipped since the restart (replays plus what the crash left uncommitted)` },
          { label: 'wallet payments since the start (all traffic)', value: `${charges.payments}, ${charges.charged} charged, ${charges.twice} charged twice` },
          { label: 'the batch the kill interrupted', value: inBatch === undefined ? 'none caught' : `open write transaction, last statement: ${inBatch.replace(/\s+/g, ' ').slice(0, 120)}` },
          { label: 'payments down', value: `${((restartedMs - killMs) / 1000).toFixed(1)} s (kill → started again and healthy); its consumer back in the group ${(rejoinedMs / 1000).toFixed(1)} s after that (the dead member's session had to expire)` },
          { label: 'time to final state p50 / p99', value: `${checkout?.timeToFinal.p50.toFixed(0) ?? '?'} / ${checkout?.timeToFinal.p99.toFixed(0) ?? '?'} ms` }
        ],
        windows: [{ label: 'payments down', startMs: killMs, endMs: Number.isNaN(restartedMs) ? Date.now() : restartedMs }],
        panels: [{
          title: 'payments: orders.placed.v1 by outcome',
          unit: 'per second',
          series: [
            { name: 'processed', promql: `sum(rate(consumer_messages_total{job="payments",topic="${TOPIC}",outcome="processed"}[10s]))` },
            { name: 'duplicate (skipped)', promql: `sum(rate(consumer_messages_total{job="payments",topic="${TOPIC}",outcome="duplicate"}[10s]))` }
          ]
        }],
        notes: [
          `The kill is aimed, not timed: PostgreSQL answers the services ${SLOW_DB_MS} ms late (a Toxiproxy latency toxic, for the fraction of a second this takes) and payments is killed as soon as pg_stat_activity shows it inside a write transaction between two statements, its consumer's batch half applied; PostgreSQL rolls that transaction back when the connection drops, and Kafka delivers the batch again to the restarted instance.`,
          'payments is started again at once: it answers HTTP (and is healthy) while its consumer waits to join the group, which the killed instance holds until its session times out (30 s); the events meanwhile wait in Kafka. Before manageConsumer (packages/messaging/src/consumer-lifecycle.ts) a restart this early exited on Fastify\'s 10 s onReady timeout.',
          'The duplicate counter is read on payments\' own /metrics after its restart (the kill resets it), so the skips counted include the redeliveries of the batch the crash interrupted.',
          'Charges are counted in payments\' ledger (SQL, kind = charge, reference order:<id>) for the wallet payments written since the run began, other clients\' included.'
        ]
      }
    } finally {
      await producer.disconnect()
      await db.end()
    }
  }
}
