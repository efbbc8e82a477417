/**
 * `./lab bench consumer`: @lab/messaging's IdempotentConsumer on the lab's Kafka and PostgreSQL, in a
 * database and on topics of the bench's own (dropped and deleted at the end). Produces N envelopes,
 * times the consumer draining them with an INSERT per message; then N envelopes produced twice
 * (duplicates skipped by the inbox); then both again with batchSize 1 (the per-message consumer it
 * was before batching), for the ratio. Below the target (or with --diagnose) it measures where the
 * time goes (diagnose.ts). Writes .lab/bench/consumer-<time>.json; exit 0 whatever the verdicts.
 */
import { randomBytes } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { benchKafka, benchLogger, brokerConfigs, labKafkaBrokers } from '../kafka.js'
import { createOutput } from '../output.js'
import { fmtInt, verdictTable } from '../report.js'
import { writeResults } from '../results.js'
import { parseConsumerArgs } from './args.js'
import { kafkaCommitEach, kafkaFetchOnly, postgresPerMessage, transactionEachAutoCommit, transactionPerBatch } from './diagnose.js'
import { drainIdempotent, type DrainSpec } from './drain.js'
import { causeLines, consumerVerdicts, CONSUMER_TARGET_PER_SECOND, diagnosisTable, drainLine, fixLines, type Diagnosis } from './report.js'
import { benchEnvelopes, createBenchDatabase, createBenchTopics, produceEnvelopes } from './setup.js'

/** How long Kafka's group coordinator waits to batch writes (offset commits) to __consumer_offsets. */
const LINGER = 'group.coordinator.append.linger.ms'

export async function benchConsumer (argv: string[]): Promise<number> {
  const options = parseConsumerArgs(argv)
  const out = createOutput()
  const started = new Date()
  const cores = availableParallelism()
  const load = loadavg()[0] ?? 0
  out.line(`lab bench consumer: ${fmtInt(options.messages)} envelopes, ${options.partitions} partitions, Node ${process.versions.node}`)
  out.line(`note: ${cores} cores shared by this process (producer, consumer) and the lab; load average before: ${load.toFixed(2)}` +
    (load > cores / 4 ? ' (other work on this machine will skew the figures)' : ''))

  const log = benchLogger('bench-consumer')
  const kafka = benchKafka('bench-consumer', log)
  const cleanups: Array<() => Promise<unknown>> = []
  const cleanUp = async () => { while (cleanups.length > 0) await cleanups.pop()?.().catch((err: unknown) => { out.line(`  cleanup failed: ${(err as Error).message}`) }) }
  const onSignal = (signal: NodeJS.Signals) => {
    out.line(`\nlab bench consumer: ${signal}: dropping the bench database and topics`)
    cleanUp().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    out.line('\n1. setup')
    const db = await createBenchDatabase()
    cleanups.push(async () => { await db.drop(); out.line(`  dropped database ${db.name}`) })
    const id = randomBytes(4).toString('hex')
    const topics = { unique: `bench.consumer.${id}.v1`, twice: `bench.consumer.${id}.twice.v1`, twiceSample: `bench.consumer.${id}.twice-sample.v1` }
    const deleteTopics = await createBenchTopics(kafka, Object.values(topics), options.partitions)
    cleanups.push(async () => { await deleteTopics(); out.line(`  deleted the bench topics ${Object.values(topics).join(', ')} (and their .dlq.v1) and the bench's consumer groups`) })
    out.line(`  database ${db.name} on the lab's PostgreSQL (directly, not through Toxiproxy): fsync=${db.durability.fsync}, synchronous_commit=${db.durability.synchronousCommit}; pool of 10`)
    const lingerMs = (await brokerConfigs(kafka, [LINGER]))[LINGER] ?? '?'
    out.line(`  topics ${Object.values(topics).join(', ')} on the lab's Kafka (${labKafkaBrokers().join(',')}), ${options.partitions} partitions each; ${LINGER}=${lingerMs}`)
    const envelopes = benchEnvelopes(options.messages)
    const produceSeconds = await produceEnvelopes(kafka, topics.unique, envelopes, 1)
    out.line(`  produced ${fmtInt(envelopes.length)} envelopes to ${topics.unique} in ${produceSeconds.toFixed(2)} s`)
    const produceTwiceSeconds = await produceEnvelopes(kafka, topics.twice, envelopes, 2)
    out.line(`  produced the same ${fmtInt(envelopes.length)} twice (all, then all again) to ${topics.twice} in ${produceTwiceSeconds.toFixed(2)} s`)
    await produceEnvelopes(kafka, topics.twiceSample, envelopes.slice(0, options.sample), 2)
    out.line(`  produced the first ${fmtInt(options.sample)} twice to ${topics.twiceSample} (for the batchSize 1 run)`)

    const drain = async (spec: Omit<DrainSpec, 'kafka' | 'pool' | 'log' | 'onProgress'>) => {
      if (!out.isTerminal) out.line(`  running ${spec.title}`)
      const result = await drainIdempotent({ ...spec, kafka, pool: db.pool, log, onProgress: (n) => { out.progress(`  ${spec.title}: ${fmtInt(n)}/${fmtInt(spec.expected)}`) } })
      out.line(`  ${drainLine(result)}`)
      return result
    }
    out.line('\n2. IdempotentConsumer (eachBatch, batchSize 100: one transaction and one offset commit per run of up to 100 messages; partitionsConsumedConcurrently 1), handler = one INSERT')
    const unique = await drain({ title: 'distinct messages', topic: topics.unique, expected: options.messages })
    const twice = await drain({ title: 'every message twice', topic: topics.twice, expected: 2 * options.messages })
    const n = options.sample
    out.line(`   the same with batchSize 1, i.e. a transaction and an offset commit per message (the consumer before batching), ${fmtInt(n)} messages:`)
    const perMessage = await drain({ title: 'distinct messages, batchSize 1', topic: topics.unique, expected: n, batchSize: 1 })
    const perMessageTwice = await drain({ title: 'every message twice, batchSize 1', topic: topics.twiceSample, expected: 2 * n, batchSize: 1 })
    out.line(`   batching: ×${(unique.perSecond / perMessage.perSecond).toFixed(1)} distinct, ×${(twice.perSecond / perMessageTwice.perSecond).toFixed(1)} with duplicates (same run, same database and broker)`)

    let diagnosis: Diagnosis | undefined
    if (unique.perSecond < CONSUMER_TARGET_PER_SECOND || options.diagnose) {
      out.line(`\n3. where the time goes: each piece alone, ${fmtInt(n)} messages of ${topics.unique} each (new groups, new inbox names)`)
      const step = async <T>(title: string, work: () => Promise<T>): Promise<T> => {
        out.progress(`  ${title} …`)
        const result = await work()
        out.line(`  ${title}: done`)
        return result
      }
      diagnosis = {
        asIs: unique,
        partitions: options.partitions,
        concurrent: await drain({ title: `partitionsConsumedConcurrently ${options.partitions}`, topic: topics.unique, expected: n, partitionsConsumedConcurrently: options.partitions }),
        postgresSync: await step('Postgres transactions', async () => await postgresPerMessage(db.pool, Math.min(n, 2000), 'on')),
        postgresAsync: await step('Postgres transactions, synchronous_commit off', async () => await postgresPerMessage(db.pool, Math.min(n, 2000), 'off')),
        kafkaFetch: await step('Kafka fetch only', async () => await kafkaFetchOnly(kafka, topics.unique, n)),
        kafkaCommitEach: await step('Kafka offset commit per message', async () => await kafkaCommitEach(kafka, topics.unique, n)),
        transactionEachAutoCommit: await step('prototype 1', async () => await transactionEachAutoCommit(kafka, db.pool, topics.unique, n)),
        transactionPerBatch: await step('prototype 2', async () => await transactionPerBatch(kafka, db.pool, topics.unique, n))
      }
      out.line(diagnosisTable(diagnosis).replace(/^/gm, '  '))
      out.line()
      for (const line of [...causeLines(diagnosis, { fsync: db.durability.fsync, lingerMs }), ...fixLines(diagnosis, lingerMs)]) out.line(`  ${line}`)
    }

    out.line('\ncleanup')
    await cleanUp()
    const verdicts = consumerVerdicts(unique, twice, options.messages)
    out.line('\ntargets (a measurement: the exit code does not depend on them)')
    out.line(verdictTable(verdicts).replace(/^/gm, '  '))
    const file = writeResults(started, {
      options,
      cores,
      loadAverageBefore: load,
      node: process.versions.node,
      durability: db.durability,
      kafka: { [LINGER]: lingerMs },
      produced: { distinctSeconds: produceSeconds, twiceSeconds: produceTwiceSeconds },
      unique,
      twice,
      batchSize1: { unique: perMessage, twice: perMessageTwice },
      diagnosis,
      verdicts
    }, 'consumer')
    out.line(`\nwritten to ${file}`)
    return 0
  } finally {
    await cleanUp()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
