import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import kafkajs, { type Kafka } from 'kafkajs'
import { pino } from 'pino'
import { createKafka, type MessagingLogger } from '@lab/messaging'
import { labHome } from '../infra/native/config.js'
import { hideNegativeTimeoutWarning } from '../infra/native/quiet-warnings.js'
import { address } from '../infra/topology.js'

/** The lab's Kafka as the native services reach it (directly, not through Toxiproxy). */
export const labKafkaBrokers = (): string[] => [address('kafka', 'native')]

/**
 * A logger for the bench's own Kafka clients and consumers: warnings and errors into
 * .lab/bench/<name>.log, so kafkajs' rebalance chatter stays out of the printed figures.
 */
export function benchLogger (name: string): MessagingLogger {
  const dir = join(labHome(), 'bench')
  mkdirSync(dir, { recursive: true })
  return pino({ level: 'warn', base: { bench: name } }, createWriteStream(join(dir, `${name}.log`), { flags: 'w' }))
}

let warningHidden = false

/** A kafkajs client on the lab's Kafka; kafkajs' TimeoutNegativeWarning (kafkajs#1751) is hidden. */
export function benchKafka (clientId: string, log: MessagingLogger): Kafka {
  if (!warningHidden) hideNegativeTimeoutWarning()
  warningHidden = true
  return createKafka({ clientId, brokers: labKafkaBrokers(), log })
}

/**
 * Settings of the lab's (one) broker, defaults included. Through the default export: Node's ESM
 * view of kafkajs (CommonJS) does not name ConfigResourceTypes.
 * @see https://kafka.js.org/docs/admin#describe-configs
 */
export async function brokerConfigs (kafka: Kafka, names: string[]): Promise<Record<string, string>> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const { brokers } = await admin.describeCluster()
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: String(brokers[0]?.nodeId ?? 1), configNames: names }]
    })
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]))
  } finally {
    await admin.disconnect()
  }
}
