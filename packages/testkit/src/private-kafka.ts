import { testInfra } from './infra.js'
import { startNativeKafka } from './private-kafka-native.js'
import { startDockerKafka } from './private-kafka-docker.js'

/**
 * A Kafka broker of one test file's own, which it may really stop and start again (the shared test
 * Kafka serves other files in parallel, so it must never go down).
 */
export interface PrivateKafka {
  /** host:port list for clients; the same across stop() and start(). */
  brokers: string[]
  /** Kafka down: the broker process ends (connections refused); its data stays. */
  stop: () => Promise<void>
  /** Kafka back: the same broker, ports and data (topics, offsets) as before stop(). */
  start: () => Promise<void>
  /** Native mode: the temp dir holding its data, config and kafka.log. */
  dataDir?: string
  /** Stops it and deletes its data. Call it in afterAll. */
  remove: () => Promise<void>
}

/**
 * Starts a private single-node KRaft broker: a child `java` process on free loopback ports in native
 * mode, a container of the lab's apache/kafka image in Docker mode. Resolves once a client can list its topics.
 */
export async function startPrivateKafka (): Promise<PrivateKafka> {
  return testInfra().mode === 'docker' ? await startDockerKafka() : await startNativeKafka()
}
