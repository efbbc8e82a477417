import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import type { LabPaths } from '../paths.js'
import { runOnce } from '../run-once.js'
import type { Component } from './component.js'
import { kafkaLog4j2Properties, kafkaServerProperties, newClusterId, type KafkaSettings } from './kafka-config.js'

/** JVM flags: the brief's heap, and the G1 settings Kafka's own kafka-run-class.sh uses. */
const JVM_FLAGS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true']

const client = (port: number, retries: number) => new kafkajs.Kafka({
  clientId: 'lab-health',
  brokers: [`127.0.0.1:${port}`],
  logLevel: kafkajs.logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 5000,
  // Short, flat retries: the coordinator is usually there within a second.
  retry: { retries, initialRetryTime: 100, maxRetryTime: 300 }
})

/** Ready = a client gets metadata: the broker is registered with its controller and serves requests. */
async function kafkaAnswers (port: number): Promise<boolean> {
  const admin = client(port, 0).admin()
  try {
    await admin.connect()
    await admin.listTopics()
    return true
  } catch {
    return false
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/**
 * Asks for a group coordinator once, so the broker creates its offsets topic now rather than when the
 * first consumer joins (which then logs "The group coordinator is not available" and retries).
 */
async function warmUpGroupCoordinator (port: number): Promise<void> {
  const admin = client(port, 40).admin()
  try {
    await admin.connect()
    await admin.describeGroups(['lab-warm-up'])
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/** A single-node KRaft Kafka from the jars install-system.sh fetched from Maven Central. */
export function kafkaComponent (paths: LabPaths, port: number, controllerPort: number, proxied?: KafkaSettings['proxied']): Component {
  const logDir = paths.data('kafka')
  const serverProperties = paths.config('kafka/server.properties')
  const log4j2 = paths.config('kafka/log4j2.properties')
  const classpath = join(paths.kafkaLibs, '*')
  return {
    name: 'kafka',
    kind: 'infra',
    port,
    dependsOn: [],
    marker: 'kafka.Kafka',
    startTimeoutMs: 60_000,
    // SIGTERM runs Kafka's controlled shutdown (flushes, writes a clean-shutdown marker).
    stop: { signal: 'SIGTERM', toGroup: true, timeoutMs: 30_000 },
    healthy: async () => await kafkaAnswers(port),
    afterHealthy: async () => { await warmUpGroupCoordinator(port) },
    prepare: async () => {
      if (!existsSync(join(paths.kafkaLibs, '.complete'))) throw new Error(`${paths.kafkaLibs} is incomplete: run infra/native/install-system.sh`)
      mkdirSync(join(paths.configDir, 'kafka'), { recursive: true })
      mkdirSync(logDir, { recursive: true })
      writeFileSync(serverProperties, kafkaServerProperties({ port, controllerPort, logDir, proxied }))
      writeFileSync(log4j2, kafkaLog4j2Properties())
      if (existsSync(join(logDir, 'meta.properties'))) return
      // Formatting writes meta.properties and the bootstrap metadata; once per data dir.
      // @see https://kafka.apache.org/documentation/#kraft_storage
      await runOnce('java', ['-cp', classpath, `-Dlog4j2.configurationFile=${log4j2}`, 'kafka.tools.StorageTool',
        'format', '-t', newClusterId(), '-c', serverProperties, '--ignore-formatted'], { logFile: paths.log('kafka') })
    },
    spawnSpec: () => ({
      name: 'kafka',
      command: 'java',
      args: [...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j2}`, '-cp', classpath, 'kafka.Kafka', serverProperties]
    })
  }
}
