import { describe, expect, it } from 'vitest'
import { services } from '../topology.js'
import { readRepoFile } from './repo.js'

interface PackageJson {
  name: string
  packageManager?: string
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
}

const readPackage = (dir: string): PackageJson => JSON.parse(readRepoFile(`${dir}/package.json`)) as PackageJson
const workspaces = [...new Set(services.map((s) => s.workspace))]
const nodeVersion = /^NODE_VERSION=(\S+)$/m.exec(readRepoFile('infra/native/bootstrap.sh'))?.[1]
const pnpmVersion = readPackage('.').packageManager?.replace(/^pnpm@/, '')

describe.each(workspaces)('%s/Dockerfile', (workspace) => {
  const dockerfile = readRepoFile(`${workspace}/Dockerfile`)
  const pkg = readPackage(workspace)

  it('builds on the Node 24 release and the pnpm the native lab uses', () => {
    expect(nodeVersion).toMatch(/^24\./)
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${nodeVersion}-slim`)
    expect(dockerfile).toContain(`pnpm@${pnpmVersion}`)
  })

  it('deploys its own package with production dependencies only', () => {
    expect(dockerfile).toContain(`RUN pnpm --filter ${pkg.name} --prod --offline deploy --legacy /out`)
    expect(dockerfile).toMatch(new RegExp(`^WORKDIR /app/${workspace}$`, 'm'))
  })

  it('exposes the port of every instance built from it, and probes the one it runs on', () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number) ?? []
    const ports = services.filter((s) => s.workspace === workspace).map((s) => s.port)
    expect(exposed.sort()).toEqual(ports.sort())
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*process\.env\.PORT.*\/health\/ready/m)
  })

  it('runs as the unprivileged node user, in production mode, the way it runs natively', () => {
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production /m)
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "src/server.ts"]')
    expect(pkg.scripts?.start).toBe('node --import tsx src/server.ts')
    expect(pkg.dependencies, 'tsx runs the service in the image: a production dependency').toHaveProperty('tsx')
  })
})
