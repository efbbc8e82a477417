import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { exec, tail } from '../../engine/exec.js'
import type { StandIn } from '../stand-in.js'

/** Exactly the tag docker-compose.yml names. */
export const TOXIPROXY_VERSION = '2.12.0'

const MODULE = 'github.com/Shopify/toxiproxy/v2'

/**
 * The server and CLI binaries, static (CGO off), built once into the cache with `go install` from the Go module
 * proxy. The version is stamped in as the release's goreleaser does, so `-version` and GET /version answer it.
 */
async function cachedToxiproxy (cache: string, version: string, log: (line: string) => void): Promise<string> {
  const bin = join(cache, 'go', `toxiproxy-${version}`)
  if (existsSync(join(bin, '.complete'))) return bin
  log(`ghcr.io/shopify/toxiproxy:${version}: go install ${MODULE}/cmd/{server,cli}@v${version} (first time only)`)
  rmSync(bin, { recursive: true, force: true })
  mkdirSync(bin, { recursive: true })
  const result = await exec('go', ['install', '-trimpath', '-ldflags', `-s -w -X ${MODULE}.Version=${version}`,
    `${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/cli@v${version}`],
  { env: { GOBIN: bin, CGO_ENABLED: '0' }, timeoutMs: 900_000 })
  if (result.code !== 0) throw new Error(`go install toxiproxy ${version} failed:\n${tail(result)}`)
  await exec('touch', [join(bin, '.complete')])
  return bin
}

export const toxiproxyStandIn: StandIn = {
  image: `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION}`,
  dir: 'toxiproxy',
  builtFrom: `Toxiproxy ${TOXIPROXY_VERSION} server and CLI built from the Go module proxy (go install, static), FROM scratch`,
  from: [],
  inputs: [TOXIPROXY_VERSION],
  stage: async ({ context, cache, log }) => {
    const bin = await cachedToxiproxy(cache, TOXIPROXY_VERSION, log)
    // go install names the binaries after their folders (cmd/server, cmd/cli).
    copyFileSync(join(bin, 'server'), join(context, 'toxiproxy'))
    copyFileSync(join(bin, 'cli'), join(context, 'toxiproxy-cli'))
  }
}
