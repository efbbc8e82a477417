import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exec, tail } from '../engine/exec.js'
import { aptInstall, commandExists } from '../engine/host.js'
import { DEBIAN_BASE, STAND_INS } from './registry.js'
import type { StandIn } from './stand-in.js'

const STANDINS_DIR = fileURLToPath(new URL('.', import.meta.url))
const LABEL = 'org.system-design-lab.stand-in'

/** Every file of a folder, sorted, with its content: what an image's hash is made of. */
function hashFolder (hash: ReturnType<typeof createHash>, dir: string): void {
  const walk = (d: string): string[] => readdirSync(d).sort().flatMap((name) => {
    const path = join(d, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
  for (const file of walk(dir)) {
    hash.update(relative(dir, file))
    hash.update(readFileSync(file))
  }
}

/** The label an image carries: its stand-in's hash, or '' for an image that is not a stand-in (pulled). */
async function imageLabel (image: string): Promise<string | undefined> {
  const result = await exec('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${LABEL}" }}`, image])
  if (result.code !== 0) return undefined
  const value = result.stdout.trim()
  return value === '<no value>' ? '' : value
}

async function imageId (image: string): Promise<string> {
  return (await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim()
}

/** The Debian root file system from debootstrap, imported as the base image (cached as a folder). */
async function importBase (cache: string, log: (line: string) => void): Promise<void> {
  if (await imageLabel(DEBIAN_BASE) !== undefined) return
  const rootfs = join(cache, 'rootfs', 'bookworm')
  if (!existsSync(join(rootfs, '.complete'))) {
    if (!await commandExists('debootstrap')) await aptInstall(['debootstrap'], log)
    log(`${DEBIAN_BASE}: debootstrap --variant=minbase bookworm (first time only, about a minute)`)
    rmSync(rootfs, { recursive: true, force: true })
    mkdirSync(rootfs, { recursive: true })
    const result = await exec('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'])
    if (result.code !== 0) throw new Error(`debootstrap failed:\n${tail(result)}`)
    rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true })
    mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true })
    await exec('touch', [join(rootfs, '.complete')])
  }
  log(`${DEBIAN_BASE}: importing the root file system`)
  const result = await exec('sh', ['-c', `tar -C '${rootfs}' --exclude=./.complete -c . | docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'LABEL ${LABEL}=debootstrap' - ${DEBIAN_BASE}`])
  if (result.code !== 0) throw new Error(`docker import ${DEBIAN_BASE} failed:\n${tail(result)}`)
}

async function contentHash (standIn: StandIn): Promise<string> {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ image: standIn.image, builtFrom: standIn.builtFrom, inputs: standIn.inputs ?? [], buildArgs: standIn.buildArgs ?? {} }))
  hashFolder(hash, join(STANDINS_DIR, standIn.dir))
  for (const base of standIn.from) hash.update(await imageId(base))
  return hash.digest('hex').slice(0, 16)
}

export interface StandInResult {
  image: string
  outcome: 'present' | 'pulled' | 'built'
  seconds: number
}

/** Builds one stand-in: its folder and staged inputs as the context, the classic builder, host network. */
async function buildStandIn (standIn: StandIn, hash: string, cache: string, log: (line: string) => void): Promise<void> {
  const context = join(cache, 'contexts', standIn.dir)
  rmSync(context, { recursive: true, force: true })
  mkdirSync(context, { recursive: true })
  cpSync(join(STANDINS_DIR, standIn.dir), context, { recursive: true })
  rmSync(join(context, 'stand-in.ts'), { force: true })
  await standIn.stage?.({ context, cache, log })
  const logFile = join(cache, `build-${standIn.dir}.log`)
  // The classic builder: BuildKit would want its frontend image from a registry. Host network: RUN steps reach the package registries.
  const buildArgs = Object.entries(standIn.buildArgs ?? {}).map(([k, v]) => `--build-arg '${k}=${v}'`).join(' ')
  const result = await exec('sh', ['-c', `docker build --network host ${buildArgs} --label ${LABEL}=${hash} -t '${standIn.image}' . >'${logFile}' 2>&1`],
    { cwd: context, env: { DOCKER_BUILDKIT: '0' } })
  if (result.code !== 0) {
    const logTail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n')
    throw new Error(`stand-in ${standIn.image} did not build (${logFile}):\n${logTail}`)
  }
}

/**
 * Every image the lab needs and the engine lacks: pulled where a registry answers (then nothing else
 * here runs), else built as a stand-in. A stand-in whose definition changed is built again; an image
 * that is not a stand-in (pulled, or the user's own) is never touched.
 */
export async function ensureStandIns (cache: string, log: (line: string) => void, only?: string[]): Promise<StandInResult[]> {
  const results: StandInResult[] = []
  const wanted = STAND_INS.filter((s) => only === undefined || only.includes(s.image) || only.includes(s.dir))
  const needsBase = wanted.some((s) => s.from.includes(DEBIAN_BASE))
  if (needsBase) await importBase(cache, log)
  for (const standIn of wanted) {
    const started = performance.now()
    const seconds = () => Number(((performance.now() - started) / 1000).toFixed(1))
    const label = await imageLabel(standIn.image)
    const hash = await contentHash(standIn)
    if (label !== undefined && (label === '' || label === hash)) {
      results.push({ image: standIn.image, outcome: 'present', seconds: seconds() })
      continue
    }
    if (label === undefined && (await exec('docker', ['pull', '-q', standIn.image], { timeoutMs: 300_000 })).code === 0) {
      log(`${standIn.image}: pulled from its registry`)
      results.push({ image: standIn.image, outcome: 'pulled', seconds: seconds() })
      continue
    }
    log(`${standIn.image}: ${label === undefined ? 'no registry serves it here: building a stand-in' : 'stand-in changed: building it again'} (${standIn.builtFrom})`)
    await buildStandIn(standIn, hash, cache, log)
    log(`${standIn.image}: built in ${seconds()} s`)
    results.push({ image: standIn.image, outcome: 'built', seconds: seconds() })
  }
  return results
}
