import { fmtInt, fmtMs, table, type Verdict } from '../report.js'
import type { Rate } from './diagnose.js'
import type { DrainResult } from './drain.js'

export const CONSUMER_TARGET_PER_SECOND = 2000

export function drainLine (r: DrainResult): string {
  return `${r.title}: ${fmtInt(r.messages)} messages in ${r.seconds.toFixed(2)} s = ${fmtInt(r.perSecond)} messages/s ` +
    `(${fmtInt(r.processed)} processed, ${fmtInt(r.duplicates)} duplicates skipped, ${fmtInt(r.deadLettered)} dead-lettered; ` +
    `${fmtInt(r.effects)} effect rows; group join ${r.joinSeconds.toFixed(2)} s before, not counted)`
}

export function consumerVerdicts (unique: DrainResult, twice: DrainResult, distinct: number): Verdict[] {
  return [
    {
      target: `idempotent consumer >= ${fmtInt(CONSUMER_TARGET_PER_SECOND)} messages/s (INSERT per message)`,
      measured: `${fmtInt(unique.perSecond)}/s`,
      pass: unique.perSecond >= CONSUMER_TARGET_PER_SECOND
    },
    {
      target: `  the same with every message twice >= ${fmtInt(CONSUMER_TARGET_PER_SECOND)} messages/s`,
      measured: `${fmtInt(twice.perSecond)}/s, ${fmtInt(twice.duplicates)} duplicates skipped`,
      pass: twice.perSecond >= CONSUMER_TARGET_PER_SECOND
    },
    {
      target: 'each distinct message applied exactly once (effect rows)',
      measured: `${fmtInt(unique.effects)} and ${fmtInt(twice.effects)} rows for ${fmtInt(distinct)} messages each`,
      pass: unique.effects === distinct && twice.effects === distinct && twice.duplicates === distinct
    }
  ]
}

export interface Diagnosis {
  /** The package as the services run it (the first drain). */
  asIs: DrainResult
  concurrent: DrainResult
  partitions: number
  postgresSync: Rate
  postgresAsync: Rate
  kafkaFetch: Rate
  kafkaCommitEach: Rate
  transactionEachAutoCommit: Rate
  transactionPerBatch: Rate
}

const msPer = (perSecond: number) => 1000 / perSecond

export function diagnosisTable (d: Diagnosis): string {
  const row = (name: string, perSecond: number, what: string) => [name, fmtInt(perSecond), fmtMs(msPer(perSecond)), what]
  return table([
    ['measured alone', 'msg/s', 'ms/msg', 'what it is'],
    row('IdempotentConsumer as is', d.asIs.perSecond, 'partitionsConsumedConcurrently 1, eachBatch, tx + offset commit per batch of ≤ 100'),
    row(`  with ${d.partitions} partitions at once`, d.concurrent.perSecond, `partitionsConsumedConcurrently ${d.partitions} (an option it already has)`),
    row('Postgres transaction', d.postgresSync.perSecond, 'pool.connect, BEGIN, inbox INSERT, effect INSERT, COMMIT; no Kafka'),
    row('  with synchronous_commit off', d.postgresAsync.perSecond, 'the same, COMMIT not waiting for the WAL flush'),
    row('Kafka fetch only', d.kafkaFetch.perSecond, 'kafkajs eachMessage, offsets committed per batch; no database'),
    row('Kafka offset commit per message', d.kafkaCommitEach.perSecond, 'commitOffsets after every message; no database'),
    row('prototype 1', d.transactionEachAutoCommit.perSecond, 'tx per message as now, offsets committed by kafkajs per batch'),
    row('prototype 2', d.transactionPerBatch.perSecond, 'eachBatch: one tx (inbox rows in one INSERT) + one offset commit per batch')
  ])
}

/** The cause, from the measurements: per-message costs that add up, one message at a time. */
export function causeLines (d: Diagnosis, env: { fsync: string, lingerMs: string }): string[] {
  const perMessage = msPer(d.asIs.perSecond)
  const pg = d.postgresSync.msPerMessage
  const flush = Math.max(0, d.postgresSync.msPerMessage - d.postgresAsync.msPerMessage)
  const commit = Math.max(0, d.kafkaCommitEach.msPerMessage - d.kafkaFetch.msPerMessage)
  const share = (ms: number) => `${Math.round((100 * ms) / perMessage)}%`
  const rest = Math.max(0, perMessage - commit - pg)
  const largest = [['the offset commit', commit], ['the Postgres transaction', pg], ['the rest', rest]] as const
  const [largestName] = [...largest].sort(([, a], [, b]) => b - a)[0] ?? ['?']
  const gain = d.concurrent.perSecond / d.asIs.perSecond
  return [
    `cause (measured): ${fmtMs(perMessage)} ms per message, one message at a time, of which`,
    `  the Kafka offset commit after each message: ${fmtMs(commit)} ms (${share(commit)}; commit per message ${fmtMs(d.kafkaCommitEach.msPerMessage)} ms − fetch alone ` +
      `${fmtMs(d.kafkaFetch.msPerMessage)} ms), a round trip to the group coordinator, which appends it to __consumer_offsets before answering;`,
    Number(env.lingerMs) > 0
      ? `    the coordinator holds each append up to group.coordinator.append.linger.ms = ${env.lingerMs} ms to batch it, and a lone consumer committing one offset at a time gives it nothing to batch;`
      : `    (group.coordinator.append.linger.ms = ${env.lingerMs}: the broker does not wait to batch the appends)`,
    `  the Postgres transaction of each message: ${fmtMs(pg)} ms (${share(pg)}), its COMMIT's WAL flush ${fmtMs(flush)} ms of it (fsync=${env.fsync});`,
    `  the rest, ${fmtMs(rest)} ms, not broken down: the package's and kafkajs' own work per message (parsing, a child logger, metrics, heartbeat).`,
    `  So: two commits per message (Postgres, then Kafka), one message at a time; the largest part is ${largestName}.`,
    `  partitionsConsumedConcurrently ${d.partitions}: ${fmtInt(d.concurrent.perSecond)}/s, ×${gain.toFixed(2)}` + (gain < 1.5
      ? ' (one consumer\'s commits share one connection to its coordinator, and a broker handles a connection\'s requests in order).'
      : '.'),
    `  Without the per-message commit (prototype 1): ${fmtInt(d.transactionEachAutoCommit.perSecond)}/s; one transaction and one commit per batch (prototype 2): ${fmtInt(d.transactionPerBatch.perSecond)}/s.`
  ]
}

/** What would fix it, each with the rate measured for it above. */
export const fixLines = (d: Diagnosis, lingerMs: string): string[] => [
  'fixes, each keeping the guarantee (inbox row and effect in one transaction, offset committed only after it); c. is what',
  'IdempotentConsumer now does (batchSize 100; batchSize 1 is the old per-message behaviour), a. is the services\' setting:',
  `  a. partitionsConsumedConcurrently = the partitions per topic (${d.partitions} in the lab), passed where the services build their`,
  '     consumers (orders, payments, notifications): partitions proceed side by side, order within a partition (so per order)',
  `     is kept; the pool needs more connections than that. Measured: ${fmtInt(d.concurrent.perSecond)}/s.`,
  '  b. no commitOffsets per message: consumer.run({ autoCommit: true, autoCommitInterval: 1000, autoCommitThreshold: 100 }).',
  '     kafkajs resolves an offset only after eachMessage returned, i.e. after the COMMIT, and commits resolved offsets per',
  '     batch; a crash redelivers at most the uncommitted tail, which the inbox skips as duplicates. The',
  `     onBatchApplied observer still works (it throws before eachMessage returns). Prototype 1: ${fmtInt(d.transactionEachAutoCommit.perSecond)}/s.`,
  '  c. eachBatch instead of eachMessage (eachBatchAutoResolve: false): per batch (capped at ~500 messages) one BEGIN, one',
  '     INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING',
  '     message_id, handle() for each returned (new) message in that transaction (a failing handler rolls the batch back and',
  '     the batch is redone one message per transaction: the retry → DLQ path for it alone), COMMIT, then resolveOffset, one',
  `     commitOffsets and heartbeat(). One WAL flush and one broker round trip per batch. Prototype 2: ${fmtInt(d.transactionPerBatch.perSecond)}/s.`,
  ...(Number(lingerMs) > 0
    ? ['  (the lab\'s Kafka: group.coordinator.append.linger.ms=0 would shorten each commit too, for every consumer; an infra',
        '   setting, not measured here.)']
    : [])
]
