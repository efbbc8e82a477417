import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { exec, tail } from '../../engine/exec.js'
import type { StandIn } from '../stand-in.js'

/** The Ryuk image testcontainers 12.2 starts (build/reaper/reaper.js, unless RYUK_CONTAINER_IMAGE says otherwise). */
export const RYUK_VERSION = '0.14.0'

/**
 * The reaper binary, static, built once per version of its source (reaper/) into the cache with the machine's Go.
 * moby-ryuk itself is not served by the Go module proxy we reach (its version list and v0.13.0/v0.14.0 are refused),
 * so the source is the lab's own, standard library only.
 */
async function cachedReaper (context: string, cache: string, log: (line: string) => void): Promise<string> {
  const source = join(context, 'reaper')
  const hash = createHash('sha256')
  for (const file of ['go.mod', 'main.go']) hash.update(readFileSync(join(source, file)))
  const dir = join(cache, 'go', `ryuk-standin-${hash.digest('hex').slice(0, 12)}`)
  const binary = join(dir, 'ryuk')
  if (existsSync(join(dir, '.complete'))) return binary
  log(`testcontainers/ryuk:${RYUK_VERSION}: building the reaper (go build, static)`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const result = await exec('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', binary, '.'],
    { cwd: source, env: { CGO_ENABLED: '0' }, timeoutMs: 600_000 })
  if (result.code !== 0) throw new Error(`go build of the reaper failed:\n${tail(result)}`)
  await exec('touch', [join(dir, '.complete')])
  return binary
}

export const ryukStandIn: StandIn = {
  image: `testcontainers/ryuk:${RYUK_VERSION}`,
  dir: 'ryuk',
  builtFrom: `a lab-written reaper speaking Ryuk ${RYUK_VERSION}'s protocol and settings (Go standard library, static, FROM scratch); moby-ryuk is not on the Go module proxy here`,
  from: [],
  inputs: [RYUK_VERSION],
  stage: async ({ context, cache, log }) => {
    copyFileSync(await cachedReaper(context, cache, log), join(context, 'ryuk'))
    rmSync(join(context, 'reaper'), { recursive: true, force: true })
  }
}
