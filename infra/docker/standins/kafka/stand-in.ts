import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exec, tail } from '../../engine/exec.js'
import type { StandIn } from '../stand-in.js'

/** Exactly the tag docker-compose.yml names (the native lab runs 4.1.2: infra/native/kafka/pom.xml). */
export const KAFKA_IMAGE_VERSION = '4.1.1'

/** The pom beside this file: the broker, kafka-tools (the CLIs' classes) and a log4j2 binding. */
const POM = fileURLToPath(new URL('./pom.xml', import.meta.url))

/** Kafka's runtime jars for a version, resolved from Maven Central once into the cache; answers the folder. */
async function cachedKafkaLibs (cache: string, version: string, log: (line: string) => void): Promise<string> {
  const dir = join(cache, 'kafka', version, 'libs')
  if (existsSync(join(dir, '.complete'))) return dir
  log(`apache/kafka:${version}: resolving Kafka ${version} jars from Maven Central (first time only)`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const result = await exec('mvn', ['-q', '-B', '-f', POM, `-Dkafka.version=${version}`, 'dependency:copy-dependencies',
    '-DincludeScope=runtime', `-DoutputDirectory=${dir}`], { timeoutMs: 600_000 })
  if (result.code !== 0) throw new Error(`mvn dependency:copy-dependencies (Kafka ${version}) failed:\n${tail(result)}`)
  if (!existsSync(join(dir, `kafka_2.13-${version}.jar`)) || !existsSync(join(dir, `kafka-tools-${version}.jar`))) {
    throw new Error(`Kafka ${version} jars missing in ${dir} after mvn`)
  }
  await exec('touch', [join(dir, '.complete')])
  return dir
}

export const kafkaStandIn: StandIn = {
  image: `apache/kafka:${KAFKA_IMAGE_VERSION}`,
  dir: 'kafka',
  builtFrom: `Kafka ${KAFKA_IMAGE_VERSION} jars from Maven Central (kafka_2.13 + kafka-tools, log4j2) on OpenJDK 17 (Debian bookworm); the official image runs Java 21`,
  from: ['lab-standin/debian:bookworm'],
  inputs: [KAFKA_IMAGE_VERSION],
  stage: async ({ context, cache, log }) => {
    const libs = await cachedKafkaLibs(cache, KAFKA_IMAGE_VERSION, log)
    cpSync(libs, join(context, 'libs'), { recursive: true, filter: (src) => !src.endsWith('.complete') })
    rmSync(join(context, 'pom.xml'), { force: true })
  }
}
