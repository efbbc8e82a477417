import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { KAFKA_IMAGE, RYUK_IMAGE } from '../../packages/testkit/src/docker.js'
import { IMAGES } from '../docker/infra-containers.js'
import { AGPL_PROFILE, NOT_RUN_HERE } from '../docker/compose-test.js'
import { DEBIAN_BASE, STAND_INS } from '../docker/standins/registry.js'
import { readRepoFile } from './repo.js'

const standInImages = STAND_INS.map((s) => s.image)

/** The reaper image testcontainers starts when told nothing else, read from the installed package. */
function testcontainersRyukDefault (): string | undefined {
  const require = createRequire(join(process.cwd(), 'packages/testkit/package.json'))
  const reaper = join(dirname(require.resolve('testcontainers')), 'reaper', 'reaper.js')
  return /"(testcontainers\/ryuk:[^"]+)"/.exec(readFileSync(reaper, 'utf8'))?.[1]
}

describe('stand-in images: every image the lab names can be built where no registry answers', () => {
  it('covers every image docker-compose.yml names, but the AGPL ones that never run here', () => {
    const compose = parse(readRepoFile('docker-compose.yml')) as { services: Record<string, { image?: string }> }
    const named = Object.entries(compose.services).filter(([name]) => !(NOT_RUN_HERE as readonly string[]).includes(name)).flatMap(([, s]) => (s.image === undefined ? [] : [s.image]))
    expect(named.length).toBeGreaterThan(5)
    expect(standInImages).toEqual(expect.arrayContaining(named))
    for (const agpl of NOT_RUN_HERE) expect(standInImages.some((i) => i.startsWith(`grafana/${agpl === 'grafana' ? 'grafana' : 'k6'}`))).toBe(false)
  })

  it('covers the Dockerfile\'s base image and the test kit\'s containers, Ryuk included', () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(readRepoFile('Dockerfile'))?.[1]
    expect(standInImages).toContain(base)
    expect(standInImages).toEqual(expect.arrayContaining([IMAGES.postgres, IMAGES.redis, IMAGES.toxiproxy, KAFKA_IMAGE, RYUK_IMAGE]))
    expect(RYUK_IMAGE, 'the Ryuk testcontainers starts by default').toBe(testcontainersRyukDefault())
  })

  it('builds each after the stand-ins it is built FROM, and has a Dockerfile for each', () => {
    STAND_INS.forEach((standIn, index) => {
      for (const from of standIn.from) {
        if (from === DEBIAN_BASE) continue
        expect(standInImages.indexOf(from), `${standIn.image} after ${from}`).toBeLessThan(index)
      }
      const dockerfile = readRepoFile(`infra/docker/standins/${standIn.dir}/Dockerfile`)
      const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])
      for (const from of froms) if (from !== 'scratch' && !from?.includes('${')) expect(standIn.from, `${standIn.dir}/Dockerfile FROM ${from}`).toContain(from)
    })
  })

  it('keeps Grafana and k6 out of the test stack under a profile nobody asks for', () => {
    const override = parse(readRepoFile('docker-compose.test.yml')) as { services: Record<string, { profiles?: string[] }> }
    for (const name of NOT_RUN_HERE) expect(override.services[name]?.profiles).toEqual([AGPL_PROFILE])
  })
})
