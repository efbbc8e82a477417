import { Network } from 'testcontainers'
import { containerRuntime, kafkaReady, startKafka } from './docker.js'
import type { PrivateKafka } from './private-kafka.js'

/**
 * Docker mode: the lab's broker image (apache/kafka, as the shared test Kafka: see docker.ts' kafkaContainer) on
 * a network of its own, its client port pinned to one host port, so that clients keep their address across a
 * stop (container kept, not removed: its data volume stays) and a start (the same container again).
 */
export async function startDockerKafka (): Promise<PrivateKafka> {
  const client = await containerRuntime()
  const network = await new Network().start()
  let started: Awaited<ReturnType<typeof startKafka>>
  try {
    started = await startKafka(network)
  } catch (err) {
    await network.stop().catch(() => {})
    throw err
  }
  const { container, brokers } = started
  let running = true
  // Stopped through the engine, not container.stop(): testcontainers' stop() acts once, later calls (and so
  // remove() after a stop) return at once and leave the container as it is.
  const stop = async (): Promise<void> => {
    if (!running) return
    // SIGTERM first: Kafka's controlled shutdown, as native mode's stop.
    await client.container.stop(client.container.getById(container.getId()), { timeout: 10_000 })
    running = false
  }
  return {
    brokers,
    stop,
    start: async () => {
      if (running) return
      // Starts the stopped container and waits for "Kafka Server started" again (logged since this start).
      await container.restart()
      running = true
      await kafkaReady(brokers)
    },
    remove: async () => {
      await container.stop({ remove: true, removeVolumes: true, timeout: 10_000 })
      running = false
      await network.stop()
    }
  }
}
