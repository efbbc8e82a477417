import { KafkaContainer, type StartedKafkaContainer } from '@testcontainers/kafka'
import { closedPort } from './listen.js'
import type { PrivateKafka } from './private-kafka.js'

/** Port of KafkaContainer's PLAINTEXT listener for clients outside Docker. */
const KAFKA_PORT = 9093

/**
 * Docker mode: a KafkaContainer whose client port is pinned to one host port, so that clients keep
 * their address across a stop (container kept, not removed) and a restart. Not run on the lab's
 * machine (no Docker engine there); the native broker is what the suite exercises.
 * @see https://node.testcontainers.org/modules/kafka/
 */
export async function startDockerKafka (): Promise<PrivateKafka> {
  const hostPort = await closedPort()
  const container: StartedKafkaContainer = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft()
    .withExposedPorts({ container: KAFKA_PORT, host: hostPort }).start()
  let running = true
  const stop = async (): Promise<void> => {
    if (!running) return
    await container.stop({ remove: false, timeout: 10_000 })
    running = false
  }
  return {
    brokers: [`${container.getHost()}:${hostPort}`],
    stop,
    start: async () => {
      if (running) return
      await container.restart()
      running = true
    },
    remove: async () => {
      await container.stop({ remove: true, removeVolumes: true, timeout: 10_000 })
      running = false
    }
  }
}
