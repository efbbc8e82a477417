import kafkajs, { type Admin } from 'kafkajs'
import { isDeadLetterTopic, purgeDeadLetters, topicDepth } from '@lab/messaging'
import { address } from '../../topology.js'
import { LabNotRunningError } from './admin-client.js'

/** What a dead-letter topic holds (kafka_dlq_depth), or what a purge deleted from it. */
export interface DeadLetterCount { topic: string, messages: number }
export interface DeadLetterReport { purge: boolean, topics: DeadLetterCount[] }

/**
 * `./lab chaos dlq [purge <topic|all>]`: lists what every dead-letter topic holds, or empties one (or
 * all) after its messages were read. Talks to Kafka directly, not through its Toxiproxy proxy, so it
 * works while a Kafka fault is on (LAB_KAFKA_BROKERS overrides the native address).
 */
export async function deadLetters (purge: string | undefined, env: Record<string, string | undefined> = process.env): Promise<DeadLetterReport> {
  const brokers = (env.LAB_KAFKA_BROKERS ?? address('kafka', 'native')).split(',')
  const kafka = new kafkajs.Kafka({ clientId: 'lab-chaos', brokers, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  try {
    await admin.connect()
    const existing = (await admin.listTopics()).filter(isDeadLetterTopic).sort()
    if (purge === undefined) return { purge: false, topics: await depths(admin, existing) }
    if (purge !== 'all' && !existing.includes(purge)) throw new Error(`no dead-letter topic ${purge}: ./lab chaos dlq lists them`)
    const topics = purge === 'all' ? existing : [purge]
    await admin.fetchTopicMetadata({ topics }) // deleteTopicRecords needs the partitions' leaders known
    const purged: DeadLetterCount[] = []
    for (const topic of topics) purged.push({ topic, messages: await purgeDeadLetters(admin, topic) })
    return { purge: true, topics: purged }
  } catch (err) {
    if ((err as Error).name === 'KafkaJSNumberOfRetriesExceeded' || (err as Error).name === 'KafkaJSConnectionError') {
      throw new LabNotRunningError(`Kafka does not answer at ${brokers.join(',')} (${(err as Error).message}): is the lab running? Start it with ./lab up -d`)
    }
    throw err
  } finally {
    await admin.disconnect()
  }
}

async function depths (admin: Admin, topics: string[]): Promise<DeadLetterCount[]> {
  if (topics.length > 0) await admin.fetchTopicMetadata({ topics })
  const counts: DeadLetterCount[] = []
  for (const topic of topics) counts.push({ topic, messages: await topicDepth(admin, topic) })
  return counts
}

/** Only the topics with messages: tests leave many empty dead-letter topics behind. */
export function formatDeadLetters ({ purge, topics }: DeadLetterReport): string {
  const held = topics.filter((t) => t.messages > 0)
  const empty = topics.length - held.length
  if (purge) {
    const lines = held.map((t) => `  ${t.topic.padEnd(50)} ${t.messages} deleted`)
    return [`purged ${held.reduce((sum, t) => sum + t.messages, 0)} dead letters`, ...lines].join('\n')
  }
  if (held.length === 0) return `no dead letters: the ${topics.length} dead-letter topics are empty`
  return [
    'dead-letter topics holding messages (messages now):',
    ...held.map((t) => `  ${t.topic.padEnd(50)} ${t.messages}`),
    ...(empty > 0 ? [`  (${empty} other dead-letter topics are empty)`] : []),
    `read them: kcat -b ${address('kafka', 'native')} -C -t <topic> -e -f '%h %s\\n'; then empty one: ./lab chaos dlq purge <topic|all>`
  ].join('\n')
}
