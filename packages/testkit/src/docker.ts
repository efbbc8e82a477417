import { Network, getContainerRuntimeClient } from 'testcontainers'
import { PostgreSqlContainer } from '@testcontainers/postgresql'
import { RedisContainer } from '@testcontainers/redis'
import { KafkaContainer } from '@testcontainers/kafka'
import { ToxiProxyContainer } from '@testcontainers/toxiproxy'
import type { TestInfra } from './infra.js'

/** True when a Docker (or compatible) engine answers: then tests use throwaway containers. */
export async function dockerAnswers (): Promise<boolean> {
  try {
    await getContainerRuntimeClient()
    return true
  } catch {
    return false
  }
}

/** Starts PostgreSQL, Redis, Kafka and Toxiproxy containers on one network; returns them and a stop(). */
export async function startContainers (): Promise<{ infra: TestInfra, stop: () => Promise<void> }> {
  const network = await new Network().start()
  const [postgres, redis, kafka, toxiproxy] = await Promise.all([
    new PostgreSqlContainer('postgres:17-alpine').withNetwork(network).withNetworkAliases('postgres')
      .withUsername('lab').withPassword('lab').withDatabase('postgres')
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=200']).start(),
    new RedisContainer('redis:7-alpine').withNetwork(network).withNetworkAliases('redis').start(),
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().withNetwork(network).withNetworkAliases('kafka').start(),
    new ToxiProxyContainer('ghcr.io/shopify/toxiproxy:2.12.0').withNetwork(network).start()
  ])
  const portMap: Record<string, number> = {}
  for (let port = 8666; port < 8666 + 32; port++) portMap[String(port)] = toxiproxy.getMappedPort(port)
  const infra: TestInfra = {
    mode: 'docker',
    postgres: { host: postgres.getHost(), port: postgres.getPort(), user: 'lab', password: 'lab' },
    redisUrl: `redis://${redis.getHost()}:${redis.getPort()}`,
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    toxiproxy: {
      apiUrl: `http://${toxiproxy.getHost()}:${toxiproxy.getMappedPort(8474)}`,
      listenHost: toxiproxy.getHost(),
      upstreams: { postgres: 'postgres:5432', redis: 'redis:6379', kafka: 'kafka:9092' },
      portMap
    }
  }
  return {
    infra,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop(), kafka.stop(), toxiproxy.stop()])
      await network.stop()
    }
  }
}
