import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASES, DB_PASSWORD, DB_USER, infra, proxies, proxyUpstream, services } from '../topology.js'
import { toxiproxyConfig } from '../config/toxiproxy.js'
import { GENERATED_PATHS } from '../docker/paths.js'
import { committedCompose, readRepoFile, ROOT, runInstalledTool } from './repo.js'

const compose = committedCompose()
// The long-running containers; one-shot jobs under a profile (the k6 load runner) are checked in load-tests/test.
const containers = Object.entries(compose.services).filter(([, c]) => c.profiles === undefined)

describe('docker-compose.yml', () => {
  it('validates with docker-compose config', () => {
    const { status, output } = runInstalledTool('docker-compose', ['-f', GENERATED_PATHS.compose, 'config', '-q'])
    expect(output).toBe('')
    expect(status).toBe(0)
  })

  it('runs every infra component and Node service of the topology, and nothing else', () => {
    const expected = [...infra.map((c) => c.name), ...services.map((s) => s.name)]
    expect(containers.map(([name]) => name).sort()).toEqual(expected.sort())
  })

  it('gives every container a healthcheck, a memory limit from the topology and a restart policy', () => {
    const memoryMb = new Map([...infra.map((c) => [c.name, c.memoryMb] as const), ...services.map((s) => [s.name, s.memoryMb] as const)])
    for (const [name, container] of containers) {
      expect(container.healthcheck?.test?.[0], name).toMatch(/^CMD(-SHELL)?$/)
      expect(container.mem_limit, name).toBe(`${memoryMb.get(name)}m`)
      expect(container.restart, name).toBe('unless-stopped')
    }
  })

  it('starts a container only after each of its dependencies is healthy', () => {
    for (const [name, container] of containers) {
      for (const [target, { condition }] of Object.entries(container.depends_on ?? {})) {
        expect(compose.services[target], `${name} depends on unknown ${target}`).toBeDefined()
        expect(compose.services[target]?.healthcheck, `${target} has no healthcheck`).toBeDefined()
        expect(condition, `${name} → ${target}`).toBe('service_healthy')
      }
    }
    for (const service of services) {
      expect(Object.keys(compose.services[service.name]?.depends_on ?? {}).sort(), service.name).toEqual([...service.dependsOn].sort())
    }
  })

  it('publishes the well-known ports only, on the loopback', () => {
    const expected = [
      ...infra.filter((c) => c.ports.host !== undefined).map((c) => `${c.name} 127.0.0.1:${c.ports.host}:${c.ports.docker}`),
      ...services.filter((s) => s.hostPort !== undefined).map((s) => `${s.name} 127.0.0.1:${s.hostPort}:${s.port}`)
    ]
    const published = containers.flatMap(([name, c]) => (c.ports ?? []).map((p) => `${name} ${p}`))
    expect(published.sort()).toEqual(expected.sort())
    expect(published.map((p) => p.split(' ')[1]?.split(':')[1]).sort()).toEqual(['3000', '8080', '8474', '9090', '9093'])
  })

  it('gives each Node service exactly its docker environment, its port probed, its image built from its workspace', () => {
    for (const service of services) {
      const container = compose.services[service.name]
      expect(container?.environment, service.name).toEqual(service.env('docker'))
      expect(container?.environment?.PORT, service.name).toBe(String(service.port))
      expect(container?.healthcheck?.test.join(' '), service.name).toContain(`http://127.0.0.1:${service.port}/health/ready`)
      expect(container?.build, service.name).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { WORKSPACE: service.workspace } })
      expect(existsSync(join(ROOT, 'Dockerfile')), 'the one Dockerfile').toBe(true)
      expect(container?.init, service.name).toBe(true)
    }
  })

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, container] of containers) {
      for (const volume of container.volumes ?? []) {
        const source = volume.split(':')[0] ?? ''
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true)
        else expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source)
      }
    }
  })

  it('creates the lab user and every service database in Postgres', () => {
    expect(compose.services.postgres?.environment).toMatchObject({ POSTGRES_USER: DB_USER, POSTGRES_PASSWORD: DB_PASSWORD })
    const sql = readRepoFile(GENERATED_PATHS.postgresInit)
    for (const db of DATABASES) expect(sql).toContain(`CREATE DATABASE "${db}" OWNER "${DB_USER}";`)
  })

  it('puts a Toxiproxy proxy in front of each proxied dependency, on its container port', () => {
    const committed = JSON.parse(readRepoFile(GENERATED_PATHS.toxiproxy)) as unknown
    expect(committed).toEqual(toxiproxyConfig('docker'))
    for (const proxy of proxies) {
      const component = infra.find((c) => c.name === proxy.upstream) ?? services.find((s) => s.name === proxy.upstream)
      expect(compose.services[proxy.upstream], proxy.name).toBeDefined()
      expect(component, proxy.name).toBeDefined()
      expect(committed).toContainEqual({ name: proxy.name, listen: `0.0.0.0:${proxy.listenPort}`, upstream: proxyUpstream(proxy, 'docker'), enabled: true })
    }
    // Kafka's proxy forwards to its PROXIED listener, advertised as the proxy's own address.
    expect(compose.services.kafka?.environment).toMatchObject({
      KAFKA_LISTENERS: expect.stringContaining('PROXIED://:9094'),
      KAFKA_ADVERTISED_LISTENERS: expect.stringContaining('PROXIED://toxiproxy:39092')
    })
  })
})
