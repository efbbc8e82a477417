import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  GenericContainer, ImageName, LABEL_TESTCONTAINERS_SESSION_ID, Network, RandomUuid, Wait, getContainerRuntimeClient,
  type ContainerRuntimeClient, type StartedNetwork, type StartedTestContainer
} from 'testcontainers'
import { PostgreSqlContainer } from '@testcontainers/postgresql'
import { RedisContainer } from '@testcontainers/redis'
import { ToxiProxyContainer } from '@testcontainers/toxiproxy'
import { kafkaServerProperties } from '@lab/infra/native'
import type { TestInfra } from './infra.js'
import { closedPort } from './listen.js'
import { kafkaReady as waitForKafka } from './kafka-ready.js'
import { IMAGES } from '@lab/infra/docker/images'

/** The lab's own broker image (docker-compose.yml's): the same Kafka as the product and the native lab. */
export const KAFKA_IMAGE = IMAGES.kafka
/** The reaper testcontainers 12.2 starts by default (its reaper module); our engines get a stand-in of it. */
export const RYUK_IMAGE = 'testcontainers/ryuk:0.14.0'
/** PLAINTEXT: the tests' listener (published on a pinned host port) and Toxiproxy's upstream (kafka:9092). */
const KAFKA_PORT = 9092
/** BROKER: the inter-broker listener, advertised as localhost (one node: the broker only ever reaches itself). */
const KAFKA_BROKER_PORT = 9091
const KAFKA_CONTROLLER_PORT = 9093
/** A fixed KRaft cluster id ("lab-testkit-kafk": 16 bytes, URL-safe base64, as `kafka-storage random-uuid` prints). */
const KAFKA_CLUSTER_ID = Buffer.from('lab-testkit-kafk').toString('base64url')
const KAFKA_READY_TIMEOUT_MS = 60_000

/**
 * The testcontainers client. Run inside a container (/.dockerenv) against a socket, testcontainers looks for
 * the engine's host in its default `bridge` network's gateway, and fails when the engine has none (the lab's
 * own engine: dockerd --bridge=none, beside us on this machine, its published ports on 127.0.0.1). Then, unless
 * TESTCONTAINERS_HOST_OVERRIDE says otherwise, the host is 127.0.0.1. Every process (global setup and test
 * workers) calls this before anything else of testcontainers.
 */
export async function containerRuntime (): Promise<ContainerRuntimeClient> {
  try {
    return await getContainerRuntimeClient()
  } catch (err) {
    if (process.env.TESTCONTAINERS_HOST_OVERRIDE !== undefined || !existsSync('/.dockerenv')) throw err
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1'
    return await getContainerRuntimeClient()
  }
}

/**
 * Puts a container on `network` under `aliases` from its creation. (testcontainers' withNetworkAliases creates it
 * on the engine's default network and connects it to `network` afterwards; an engine without a default bridge,
 * Docker 20.10 with --bridge=none, then keeps its endpoint on `network` once it is removed, and the network can
 * never be removed: neither by stop() nor by Ryuk.)
 */
export function onNetwork<T extends GenericContainer> (container: T, network: StartedNetwork, ...aliases: string[]): T {
  container.withNetwork(network)
  const { createOpts } = container as unknown as { createOpts: { NetworkingConfig?: unknown } }
  if (aliases.length > 0) createOpts.NetworkingConfig = { EndpointsConfig: { [network.getName()]: { Aliases: aliases } } }
  return container
}

/** Kafka's server.properties key → the apache/kafka image's variable: `_` → `__`, `-` → `___`, `.` → `_`. */
const kafkaEnvName = (property: string): string =>
  `KAFKA_${property.replaceAll('_', '__').replaceAll('-', '___').replaceAll('.', '_').toUpperCase()}`

/**
 * A single-node KRaft broker of the apache/kafka image, with the native lab's broker settings
 * (kafkaServerProperties) apart from its addresses: PLAINTEXT on :9092, published on `hostPort` and advertised
 * as `host:hostPort` (so clients that bootstrap through Toxiproxy, upstream kafka:9092, then talk to the broker
 * directly, as in native mode); inter-broker traffic on its own listener. Started = the broker logged
 * "Kafka Server started" (testcontainers waits for it again on restart); then see kafkaReady().
 * @see https://github.com/apache/kafka/blob/trunk/docker/examples/README.md
 */
export function kafkaContainer (host: string, hostPort: number): GenericContainer {
  const addresses: Record<string, string> = {
    listeners: `PLAINTEXT://0.0.0.0:${KAFKA_PORT},BROKER://0.0.0.0:${KAFKA_BROKER_PORT},CONTROLLER://localhost:${KAFKA_CONTROLLER_PORT}`,
    'advertised.listeners': `PLAINTEXT://${host}:${hostPort},BROKER://localhost:${KAFKA_BROKER_PORT}`,
    'controller.quorum.voters': `1@localhost:${KAFKA_CONTROLLER_PORT}`,
    'inter.broker.listener.name': 'BROKER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT'
  }
  const properties = kafkaServerProperties({ port: KAFKA_PORT, controllerPort: KAFKA_CONTROLLER_PORT, logDir: '/var/lib/kafka/data' })
    .split('\n')
    .filter((line) => line.includes('=') && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    .map(([key, value]) => [kafkaEnvName(key), addresses[key] ?? value] as const)
  return new GenericContainer(KAFKA_IMAGE)
    .withEnvironment({ CLUSTER_ID: KAFKA_CLUSTER_ID, ...Object.fromEntries(properties), KAFKA_HEAP_OPTS: '-Xms128m -Xmx256m' })
    .withExposedPorts({ container: KAFKA_PORT, host: hostPort })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
}

/**
 * Starts a kafkaContainer() on a free host port of its own (pinned, so that its address survives a stop and a
 * start), trying another port if that one was taken in the meantime; resolves once kafkaReady().
 */
export async function startKafka (network: StartedNetwork, ...aliases: string[]): Promise<{ container: StartedTestContainer, brokers: string[] }> {
  const host = (await containerRuntime()).info.containerRuntime.host
  for (let attempt = 1; ; attempt++) {
    const hostPort = await closedPort()
    try {
      const container = await onNetwork(kafkaContainer(host, hostPort), network, ...aliases).start()
      const brokers = [`${host}:${hostPort}`]
      try {
        await kafkaReady(brokers)
      } catch (err) {
        await container.stop({ remove: true, removeVolumes: true })
        throw err
      }
      return { container, brokers }
    } catch (err) {
      if (attempt >= 3 || !/port is already allocated|address already in use/i.test(String(err))) throw err
    }
  }
}

/** Waits for a testcontainers broker through its advertised address (kafka-ready.ts). */
export async function kafkaReady (brokers: string[]): Promise<void> {
  await waitForKafka(brokers, KAFKA_READY_TIMEOUT_MS)
}

/** Label of the network our own Ryuk runs on (see startReaper). */
const REAPER_NETWORK_LABEL = 'org.system-design-lab.testkit.reaper-network'

/**
 * Ryuk removes this run's containers and networks once the run is gone, even when it crashed. testcontainers
 * starts it on the engine's default network, and an engine without one (the lab's: dockerd --bridge=none)
 * publishes none of its ports: testcontainers could not reach it and no container would start. Then we start
 * the same Ryuk (testcontainers' image and settings) on a network of its own; testcontainers, here and in every
 * test worker, finds a running reaper by the image's org.testcontainers.ryuk label and uses it. A detached
 * watcher removes that network once Ryuk has done its work and gone (10 s after the last client left).
 * Nothing to do when TESTCONTAINERS_RYUK_DISABLED=true or when the engine has a default bridge.
 */
async function startReaper (client: ContainerRuntimeClient, log: (line: string) => void): Promise<void> {
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === 'true') return
  if (await hasNetwork(client, 'bridge')) return
  const sessionId = new RandomUuid().nextUuid()
  const name = `testcontainers-ryuk-${sessionId}`
  const network = await client.network.create({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [REAPER_NETWORK_LABEL]: 'true' } })
  try {
    // The name testcontainers compares with to recognise its reaper (auto-removed, never reaped itself).
    const image = ImageName.fromString(process.env.RYUK_CONTAINER_IMAGE ?? RYUK_IMAGE).string
    const port = process.env.TESTCONTAINERS_RYUK_PORT
    const reaper = new GenericContainer(image)
      .withName(name)
      .withNetworkMode(name)
      .withExposedPorts(port !== undefined ? { container: 8080, host: Number(port) } : 8080)
      .withBindMounts([{ source: client.info.containerRuntime.remoteSocketPath, target: '/var/run/docker.sock' }])
      .withLabels({ [LABEL_TESTCONTAINERS_SESSION_ID]: sessionId })
      .withWaitStrategy(Wait.forLogMessage(/.*Started.*/))
    if (process.env.TESTCONTAINERS_RYUK_PRIVILEGED === 'true') reaper.withPrivilegedMode()
    const env = { RYUK_VERBOSE: process.env.TESTCONTAINERS_RYUK_VERBOSE, RYUK_RECONNECTION_TIMEOUT: process.env.TESTCONTAINERS_RYUK_RECONNECTION_TIMEOUT }
    reaper.withEnvironment(Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)))
    const started = await reaper.start()
    removeNetworkOnceGone(started.getId(), network.id)
    log(`Ryuk ${started.getId().slice(0, 12)} on network ${name} (the engine has no default bridge)`)
  } catch (err) {
    await client.network.remove(network).catch(() => {})
    throw err
  }
}

async function hasNetwork (client: ContainerRuntimeClient, name: string): Promise<boolean> {
  try {
    await client.network.getById(name).inspect()
    return true
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false
    throw err
  }
}

/** Detached, so that it outlives the run (and a crash of it): waits until Ryuk is removed, then removes its network. */
function removeNetworkOnceGone (reaperId: string, networkId: string): void {
  const script = `
const [tc, reaperId, networkId] = process.argv.slice(1)
const { getContainerRuntimeClient } = require(tc)
;(async () => {
  const client = await getContainerRuntimeClient()
  await client.container.getById(reaperId).wait({ condition: 'removed' }).catch(() => {})
  for (let attempt = 0; attempt < 30; attempt++) {
    try { await client.network.remove(client.network.getById(networkId)); return } catch (err) { if (err.statusCode === 404) return }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
})()`
  const testcontainers = createRequire(import.meta.url).resolve('testcontainers')
  spawn(process.execPath, ['-e', script, testcontainers, reaperId, networkId], { detached: true, stdio: 'ignore' }).unref()
}

/** Seconds since `t0`, for the log. */
const since = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`

/**
 * Starts PostgreSQL, Redis, Kafka and Toxiproxy containers on one network (each reachable from Toxiproxy by its
 * name); returns them and a stop(). A container that fails to start stops the others.
 */
export async function startContainers (log: (line: string) => void = () => {}): Promise<{ infra: TestInfra, stop: () => Promise<void> }> {
  const t0 = Date.now()
  const client = await containerRuntime()
  await startReaper(client, log)
  const network = await new Network().start()
  const timed = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    const container = await start()
    log(`${name} up in ${since(started)}`)
    return container
  }
  const results = await Promise.allSettled([
    timed('postgres', async () => await onNetwork(new PostgreSqlContainer(IMAGES.postgres), network, 'postgres')
      .withUsername('lab').withPassword('lab').withDatabase('postgres')
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=200']).start()),
    timed('redis', async () => await onNetwork(new RedisContainer(IMAGES.redis), network, 'redis').start()),
    timed('kafka', async () => await startKafka(network, 'kafka')),
    timed('toxiproxy', async () => await onNetwork(new ToxiProxyContainer(IMAGES.toxiproxy), network).start())
  ])
  const [postgres, redis, kafka, toxiproxy] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as
    [Awaited<ReturnType<PostgreSqlContainer['start']>>?, Awaited<ReturnType<RedisContainer['start']>>?, Awaited<ReturnType<typeof startKafka>>?, Awaited<ReturnType<ToxiProxyContainer['start']>>?]
  const stop = async (): Promise<void> => {
    await Promise.all([postgres?.stop(), redis?.stop(), kafka?.container.stop(), toxiproxy?.stop()])
    await network.stop()
  }
  const failed = results.find((r) => r.status === 'rejected')
  if (failed !== undefined || postgres === undefined || redis === undefined || kafka === undefined || toxiproxy === undefined) {
    await stop().catch(() => {})
    throw (failed as PromiseRejectedResult | undefined)?.reason ?? new Error('a container did not start')
  }
  log(`containers up in ${since(t0)}`)
  const portMap: Record<string, number> = {}
  for (let port = 8666; port < 8666 + 32; port++) portMap[String(port)] = toxiproxy.getMappedPort(port)
  const infra: TestInfra = {
    mode: 'docker',
    postgres: { host: postgres.getHost(), port: postgres.getPort(), user: 'lab', password: 'lab' },
    redisUrl: `redis://${redis.getHost()}:${redis.getPort()}`,
    kafkaBrokers: kafka.brokers,
    toxiproxy: {
      apiUrl: `http://${toxiproxy.getHost()}:${toxiproxy.getMappedPort(8474)}`,
      listenHost: toxiproxy.getHost(),
      upstreams: { postgres: 'postgres:5432', redis: 'redis:6379', kafka: `kafka:${KAFKA_PORT}` },
      portMap
    }
  }
  return { infra, stop }
}
