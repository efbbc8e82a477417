import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../native/config.js'
import type { Engine } from './engine/engine.js'
import { OWN_ENGINE_OVERRIDE_MARKER, ownEngineOverrideFile } from './files.js'

export const OWN_ENGINE_OVERRIDE = 'docker-compose.override.yml'

/**
 * On the lab's own engine, writes docker-compose.override.yml so that the README's plain
 * `docker compose up --build -d` works there as it does on a Docker that reaches a registry: Compose
 * reads that file by itself (when no -f is given). On a Docker of the user's, removes it again if the
 * lab wrote it. A file of the user's own under that name (no marker) is never touched. Returns what
 * it did, for prepare's progress.
 */
export function syncOwnEngineOverride (engine: Pick<Engine, 'owned'>, root = repoRoot): 'written' | 'unchanged' | 'removed' | 'kept-yours' | 'none' {
  const path = join(root, OWN_ENGINE_OVERRIDE)
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined
  if (current !== undefined && !current.includes(OWN_ENGINE_OVERRIDE_MARKER)) return 'kept-yours'
  if (!engine.owned) {
    if (current === undefined) return 'none'
    rmSync(path)
    return 'removed'
  }
  const content = ownEngineOverrideFile()
  if (current === content) return 'unchanged'
  writeFileSync(path, content)
  return 'written'
}
