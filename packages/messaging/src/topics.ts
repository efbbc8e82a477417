import type { Kafka } from 'kafkajs'

export interface EnsureTopicsOptions {
  /** Partitions for topics that do not exist yet (default 3). Existing topics are left as they are. */
  partitions?: number
  /** Replication factor for new topics (default: the broker's default.replication.factor). */
  replicationFactor?: number
  /** How long to wait for every partition to have a leader (default 30 s). */
  timeoutMs?: number
}

/**
 * Create the topics that are missing and wait until every partition has a leader. Safe to call at
 * every boot and from several instances at once: a topic created by someone else in between counts
 * as done (kafkajs answers `false` for TOPIC_ALREADY_EXISTS), and we wait for its leaders anyway,
 * because on KRaft a just-created topic can briefly answer "does not host this topic-partition".
 * @see https://kafka.js.org/docs/admin#create-topics
 */
export async function ensureTopics (kafka: Kafka, topics: string[], opts: EnsureTopicsOptions = {}): Promise<void> {
  // createTopics({ waitForLeaders: true }) itself sometimes fails on KRaft right after creating the
  // topics ("This server does not host this topic-partition", about one boot in ten): they exist by
  // then, so one more call finds them and only waits for their leaders.
  for (let attempt = 1; ; attempt++) {
    try {
      await createMissingTopics(kafka, topics, opts)
      return
    } catch (err) {
      if (attempt >= 3 || !isMetadataLag(err)) throw err
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt))
    }
  }
}

async function createMissingTopics (kafka: Kafka, topics: string[], { partitions = 3, replicationFactor, timeoutMs = 30_000 }: EnsureTopicsOptions): Promise<void> {
  const wanted = [...new Set(topics)]
  if (wanted.length === 0) return
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = wanted.filter((topic) => !existing.has(topic))
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          timeout: timeoutMs,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, ...(replicationFactor === undefined ? {} : { replicationFactor }) }))
        })
      } catch (err) {
        // kafkajs waits for leaders by retrying only LEADER_NOT_AVAILABLE; KRaft may first answer
        // UNKNOWN_TOPIC_OR_PARTITION for a topic it just created. The topic exists: wait below instead.
        if (!isMetadataLag(err)) throw err
      }
    }
    await waitForLeaders(admin, wanted, timeoutMs)
  } finally {
    await admin.disconnect()
  }
}

async function waitForLeaders (admin: ReturnType<Kafka['admin']>, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics })
      const ready = metadata.length === topics.length &&
        metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))
      if (ready) return
    } catch (err) {
      // Right after creation the metadata is still spreading; anything else is a real failure.
      if (!isMetadataLag(err) || Date.now() > deadline) throw err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for leaders of ${topics.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const metadataLag = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'])

function isMetadataLag (err: unknown): boolean {
  return metadataLag.has((err as { type?: string }).type ?? '')
}
