import type { TestProject } from 'vitest/node'
import { testkitEnv } from './config.js'
import { startContainers } from './docker.js'
import { startNative } from './native.js'

/**
 * The one fixture that decides where the tests' PostgreSQL, Redis, Kafka and Toxiproxy come from:
 * testcontainers when LAB_TEST_INFRA=docker, the native lab otherwise (whether or not a Docker engine
 * answers). Tests only call testInfra().
 */
export default async function setup (project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => { process.stderr.write(`[testkit] ${line}\n`) }
  const useDocker = testkitEnv.infra === 'docker'
  log(`infrastructure: ${useDocker ? 'testcontainers (LAB_TEST_INFRA=docker)' : 'native lab processes'}`)
  const { infra, stop } = useDocker ? await startContainers(log) : await startNative(log)
  project.provide('labInfra', infra)
  return async () => {
    // LAB_KEEP_INFRA keeps native components for quick re-runs; containers are throwaway (Ryuk would reap them anyway).
    if (useDocker || !testkitEnv.keepInfra) await stop()
  }
}
