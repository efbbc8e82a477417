import type { TestProject } from 'vitest/node'
import { testkitEnv } from './config.js'
import { dockerAnswers, startContainers } from './docker.js'
import { startNative } from './native.js'

/**
 * The one fixture that decides where the tests' PostgreSQL, Redis, Kafka and Toxiproxy come from:
 * testcontainers when a Docker engine answers, the native lab otherwise. Tests only call testInfra().
 */
export default async function setup (project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => { process.stderr.write(`[testkit] ${line}\n`) }
  const useDocker = testkitEnv.infra === 'docker' || (testkitEnv.infra !== 'native' && await dockerAnswers())
  log(`infrastructure: ${useDocker ? 'testcontainers (Docker engine found)' : 'native lab processes'}`)
  const { infra, stop } = useDocker ? await startContainers() : await startNative(log)
  project.provide('labInfra', infra)
  return async () => {
    if (!testkitEnv.keepInfra) await stop()
  }
}
