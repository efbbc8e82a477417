import { describe, expect, it } from 'vitest'
import { allComponents, withDependencies } from '../components/registry.js'
import { postgresSettings } from '../components/postgres.js'
import { labPaths } from '../paths.js'
import { infra, services } from '../../topology.js'

describe('native components', () => {
  const components = allComponents(labPaths('/tmp/lab-home'))

  it('runs every native component of the topology and every service, on its native port', () => {
    const expected = [...infra.filter((c) => c.native).map((c) => [c.name, c.ports.native]), ...services.map((s) => [s.name, s.port])]
    expect(components.map((c) => [c.name, c.port])).toEqual(expected)
  })

  it('orders a start dependencies first, pulling in what is not named', () => {
    const names = withDependencies(components, ['catalog-1']).map((c) => c.name)
    expect(names.at(-1)).toBe('catalog-1')
    for (const service of services.filter((s) => names.includes(s.name))) {
      for (const dep of service.dependsOn) expect(names.indexOf(dep)).toBeLessThan(names.indexOf(service.name))
    }
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis', 'toxiproxy']))
    expect(names).not.toContain('kafka')
    expect(names).not.toContain('catalog-2')
    const all = withDependencies(components, ['gateway']).map((c) => c.name)
    expect(all.at(-1)).toBe('gateway')
    for (const service of services) {
      for (const dep of service.dependsOn) expect(all.indexOf(dep)).toBeLessThan(all.indexOf(service.name))
    }
  })

  it('names the unknown component', () => {
    expect(() => withDependencies(components, ['mysql'])).toThrow(/unknown component 'mysql'/)
  })
})

describe('postgres settings', () => {
  it('drops durability only in fast (test) mode', () => {
    const lab = postgresSettings(25432, '/run/pg', { fast: false })
    const fast = postgresSettings(25432, '/run/pg', { fast: true })
    expect(lab).toEqual(expect.arrayContaining(['port=25432', 'listen_addresses=127.0.0.1', 'max_connections=200', 'unix_socket_directories=/run/pg']))
    expect(lab.join(' ')).not.toMatch(/fsync|synchronous_commit/)
    expect(fast).toEqual(expect.arrayContaining(['fsync=off', 'synchronous_commit=off']))
  })
})
