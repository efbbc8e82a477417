import { mkdirSync } from 'node:fs'
import { enginePaths } from './engine/config.js'
import { ensureComposePlugin } from './engine/compose-plugin.js'
import { prepareEngine, type Engine } from './engine/engine.js'
import { ensureStandIns, type StandInResult } from './standins/build.js'
import { OWN_ENGINE_OVERRIDE, syncOwnEngineOverride } from './own-engine-override.js'

export interface Prepared {
  engine: Engine
  compose: string
  images: StandInResult[]
  seconds: number
}

/**
 * `./lab docker prepare`: an engine (the user's, or the lab's own), the Compose plugin, and every image
 * the lab names (pulled where a registry answers, else a stand-in built here). Idempotent; seconds when
 * all is there already.
 */
export async function prepareDocker (log: (line: string) => void, only?: string[]): Promise<Prepared> {
  const started = performance.now()
  const paths = enginePaths()
  mkdirSync(paths.cache, { recursive: true })
  const engine = await prepareEngine(log, paths)
  const override = syncOwnEngineOverride(engine)
  if (override === 'written') log(`${OWN_ENGINE_OVERRIDE} written: a plain \`docker compose up --build -d\` builds on the host network here and leaves Grafana and k6 out`)
  if (override === 'removed') log(`${OWN_ENGINE_OVERRIDE} removed: your Docker needs none`)
  if (override === 'kept-yours') log(`${OWN_ENGINE_OVERRIDE} is yours (no lab marker): left as it is; on the lab's own engine, builds need \`build: {network: host}\` and Grafana cannot run`)
  const compose = await ensureComposePlugin(paths.cache, log)
  const images = await ensureStandIns(paths.cache, log, only)
  return { engine, compose, images, seconds: (performance.now() - started) / 1000 }
}
