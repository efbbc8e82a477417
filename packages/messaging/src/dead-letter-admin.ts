import type { Admin } from 'kafkajs'
import { isDeadLetterTopic } from './dead-letter.js'

/**
 * Messages a topic holds now: per partition, high watermark − low watermark (what retention and
 * deleteRecords kept), summed. For a dead-letter topic, nobody consumes it, so this is its backlog.
 * @see https://kafka.apache.org/documentation/#basic_ops_consumer_lag
 */
export async function topicDepth (admin: Admin, topic: string): Promise<number> {
  let depth = 0
  for (const { high, low } of await admin.fetchTopicOffsets(topic)) depth += Number(BigInt(high) - BigInt(low))
  return depth
}

/**
 * Empty a dead-letter topic after its messages were inspected (or replayed): deletes its records up to
 * the high watermark read now, so a message dead-lettered meanwhile stays. The topic itself stays.
 * Answers how many messages were deleted. Refuses a topic that is not a dead-letter topic.
 * @see https://kafka.js.org/docs/admin#delete-topic-records
 */
export async function purgeDeadLetters (admin: Admin, topic: string): Promise<number> {
  if (!isDeadLetterTopic(topic)) throw new Error(`${topic} is not a dead-letter topic (<topic>.dlq.v1): not purging it`)
  const offsets = await admin.fetchTopicOffsets(topic)
  const held = offsets.filter(({ high, low }) => BigInt(high) > BigInt(low))
  if (held.length === 0) return 0
  await admin.deleteTopicRecords({ topic, partitions: held.map(({ partition, high }) => ({ partition, offset: high })) })
  return held.reduce((sum, { high, low }) => sum + Number(BigInt(high) - BigInt(low)), 0)
}
