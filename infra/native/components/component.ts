import type { LabPaths } from '../paths.js'
import type { SpawnSpec } from '../supervisor.js'

export interface StartOptions {
  /** Test-only durability (Postgres without fsync): faster, loses data on a crash. */
  fast: boolean
}

/** One process of the native lab: how to prepare, start, probe and stop it. */
export interface Component {
  name: string
  kind: 'infra' | 'service'
  port: number
  /** Components that must be healthy before this one starts. */
  dependsOn: string[]
  /** A string in the process' command line: tells our daemon from a reused PID. */
  marker: string
  startTimeoutMs: number
  stop: { signal: NodeJS.Signals, toGroup: boolean, timeoutMs: number }
  /** Answers true when the component serves requests; never throws. */
  healthy: () => Promise<boolean>
  /** One-time or per-start preparation before spawning: data dirs, generated configs, formatting. */
  prepare?: (paths: LabPaths, options: StartOptions) => Promise<void>
  spawnSpec: (paths: LabPaths, options: StartOptions) => SpawnSpec
  /** Idempotent set-up once healthy (Postgres: role and databases); runs even when already running. */
  afterHealthy?: () => Promise<void>
}
