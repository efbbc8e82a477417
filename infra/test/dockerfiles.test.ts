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
const dockerfile = readRepoFile('Dockerfile')

describe('the one Dockerfile of the Node services', () => {
  it('builds on the Node 24 release and the pnpm the native lab uses', () => {
    expect(nodeVersion).toMatch(/^24\./)
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${nodeVersion}-slim`)
    expect(dockerfile).toContain(`pnpm@${pnpmVersion}`)
  })

  it('deploys the workspace it is told with production dependencies only, where the repository has it', () => {
    expect(dockerfile).toMatch(/pnpm --filter "\.\/\$\{WORKSPACE\}" --prod --prefer-offline deploy --legacy \/out/)
    expect(dockerfile).toMatch(/^WORKDIR \/app\/\$\{WORKSPACE\}$/m)
    // The layers before the argument are shared by every service's build.
    expect(dockerfile.indexOf('ARG WORKSPACE')).toBeGreaterThan(dockerfile.indexOf('COPY . .'))
  })

  it('probes the port it runs on, whichever instance', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*process\.env\.PORT.*\/health\/ready/m)
  })

  it('runs as the unprivileged node user, in production mode', () => {
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production /m)
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "src/server.ts"]')
  })

  it.each(workspaces)('%s starts the same way in the image as natively, tsx a production dependency', (workspace) => {
    const pkg = readPackage(workspace)
    expect(pkg.scripts?.start).toBe('node --import tsx src/server.ts')
    expect(pkg.dependencies, 'tsx runs the service in the image').toHaveProperty('tsx')
  })
})
