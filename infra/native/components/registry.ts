import { infra, KAFKA_CONTROLLER_PORT, KAFKA_PROXIED_PORT, proxied, services } from '../../topology.js'
import type { LabPaths } from '../paths.js'
import { postgresExporterRun, redisExporterRun } from '../../config/exporters.js'
import type { Component } from './component.js'
import { alertmanagerComponent } from './alertmanager.js'
import { exporterComponent } from './exporter.js'
import { kafkaComponent } from './kafka.js'
import { nodeServiceComponent } from './node-service.js'
import { postgresComponent } from './postgres.js'
import { prometheusComponent } from './prometheus.js'
import { redisComponent } from './redis.js'
import { toxiproxyComponent } from './toxiproxy.js'

/** What the tests need running (Prometheus, its exporters and Alertmanager are for watching the lab, not for tests). */
export const TEST_INFRA = ['postgres', 'redis', 'kafka', 'toxiproxy']

/** Every process of the native lab, infrastructure first, in the topology's order. */
export function allComponents (paths: LabPaths): Component[] {
  const components: Component[] = []
  for (const c of infra) {
    if (!c.native) continue
    const port = c.ports.native
    switch (c.kind) {
      case 'postgres': components.push(postgresComponent(paths, port)); break
      case 'redis': components.push(redisComponent(paths, port)); break
      case 'kafka': components.push(kafkaComponent(paths, port, KAFKA_CONTROLLER_PORT.native, { port: KAFKA_PROXIED_PORT.native, advertised: proxied('kafka', 'native') })); break
      case 'toxiproxy': components.push(toxiproxyComponent(paths, port)); break
      case 'prometheus': components.push(prometheusComponent(paths, port)); break
      case 'alertmanager': components.push(alertmanagerComponent(paths, port)); break
      case 'postgres-exporter':
        components.push(exporterComponent({ name: c.name, command: 'prometheus-postgres-exporter', port, dependsOn: c.dependsOn ?? [], run: postgresExporterRun('native') }))
        break
      case 'redis-exporter':
        components.push(exporterComponent({ name: c.name, command: 'prometheus-redis-exporter', port, dependsOn: c.dependsOn ?? [], run: redisExporterRun('native') }))
        break
      default: throw new Error(`the native runner cannot run ${c.name} (${c.kind})`)
    }
  }
  return [...components, ...services.map(nodeServiceComponent)]
}

/** The named components and everything they depend on, dependencies first. */
export function withDependencies (all: Component[], names: string[]): Component[] {
  const byName = new Map(all.map((c) => [c.name, c]))
  const ordered: Component[] = []
  const visit = (name: string, path: string[]) => {
    const component = byName.get(name)
    if (component === undefined) throw new Error(`unknown component '${name}' (known: ${[...byName.keys()].join(', ')})`)
    if (path.includes(name)) throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`)
    if (ordered.includes(component)) return
    for (const dep of component.dependsOn) visit(dep, [...path, name])
    ordered.push(component)
  }
  for (const name of names) visit(name, [])
  return ordered
}
